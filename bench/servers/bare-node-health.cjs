// The start-up benchmark's reference (bench/lib/startup-pair.ts): the smallest Node HTTP server that answers
// GET /health, run by the same pinned Node as the executable. CommonJS and no imports beyond node:http, so
// it measures Node's own start-up and nothing of ours.
'use strict';
const http = require('node:http');
const port = Number(process.argv[2]);
http
  .createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  })
  .listen(port, '127.0.0.1');
