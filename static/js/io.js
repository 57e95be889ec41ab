/* The Socket.IO client (polling and WebSocket only: tools/socketio-client/) as the global `io`. */
import { io } from "../vendor/socket.io-client-4.8.4/socket.io.slim.min.js";
window.io = io;
