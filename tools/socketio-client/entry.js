// The Socket.IO client as Tafelronde's pages use it: `io(options)`.
export { io } from "socket.io-client";
