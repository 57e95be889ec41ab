// Build the slim Socket.IO client for static/vendor/ (run `npm ci && npm run build` here).
//
// The same sources as the package's own bundles (socket.io-client's build/esm, without its debug
// logging), with three modules replaced:
// - engine.io-client's table of transports keeps the two that Tafelronde's server speaks, HTTP
//   long-polling over XMLHttpRequest (the first connection, and the fallback where WebSocket is
//   blocked) and WebSocket. WebTransport and the fetch() polling transport are left out: the
//   server offers neither.
// - socket.io-parser's binary attachments: Tafelronde's messages are JSON both ways (the server
//   sends no binary packets, game/web/serving/packets.py), so no payload is searched for bytes
//   and none is split into attachments; a binary packet from a server would be refused.
import * as esbuild from "esbuild";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";

const VERSION = JSON.parse(readFileSync("node_modules/socket.io-client/package.json")).version;
const OUT = `../../static/vendor/socket.io-client-${VERSION}`;

const twoTransports = {
  name: "two-transports",
  setup(build) {
    build.onLoad(
      { filter: /engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/]index\.js$/ },
      (args) => ({
        contents: [
          'import { XHR } from "./polling-xhr.js";',
          'import { WS } from "./websocket.js";',
          "export const transports = { websocket: WS, polling: XHR };",
        ].join("\n"),
        resolveDir: path.dirname(args.path),
      }),
    );
  },
};

const jsonOnly = {
  name: "json-only",
  setup(build) {
    const stub = (file, contents) =>
      build.onLoad({ filter: new RegExp(`socket\\.io-parser[\\\\/]build[\\\\/]esm[\\\\/]${file}$`) }, () => ({
        contents,
      }));
    stub("is-binary\\.js", "export const isBinary = () => false;\nexport const hasBinary = () => false;\n");
    stub(
      "binary\\.js",
      'const none = () => { throw new Error("binary packets are not used"); };\n' +
        "export const deconstructPacket = none;\nexport const reconstructPacket = none;\n",
    );
  },
};

await esbuild.build({
  entryPoints: ["entry.js"],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2018",
  plugins: [twoTransports, jsonOnly],
  legalComments: "none",
  banner: {
    js: `/*! Socket.IO client v${VERSION} (polling and WebSocket only), (c) Guillermo Rauch and the Socket.IO contributors, MIT licence: LICENSE */`,
  },
  outfile: `${OUT}/socket.io.slim.min.js`,
});

// Every package whose code is in the bundle, with its licence beside it.
for (const name of [
  "socket.io-client",
  "socket.io-parser",
  "engine.io-client",
  "engine.io-parser",
  "@socket.io/component-emitter",
]) {
  const file = name === "socket.io-client" ? "LICENSE" : `LICENSE.${name.replace("@socket.io/", "")}`;
  copyFileSync(`node_modules/${name}/LICENSE`, `${OUT}/${file}`);
}
