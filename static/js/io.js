/* Socket.IO's ES module build (smaller) as the global `io` of the scripts after it. */
import { io } from "../vendor/socket.io-client-4.8.4/socket.io.esm.min.js";
window.io = io;
