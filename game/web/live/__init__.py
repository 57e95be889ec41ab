"""The live session's shell: the Socket.IO namespace, its state and updates, and the live pages
(creating a session, the facilitator's, phone's and projector's pages, the service worker)."""
