// A stand-in for Slack's incoming webhooks in the browser tests (the server
// runs with SLACK_BASE_URL pointing here): a path with "/gone/" answers 404
// `no_service`, like a deleted Slack webhook; one with "/refuse-once/"
// answers its first post 400 `invalid_payload` (the message is given up)
// and accepts the later ones; any other POST is accepted.
const http = require('http');

const refused = new Set();

const port = Number(process.env.FAKE_SLACK_PORT ?? '3108');
http
  .createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'GET') {
        response.writeHead(200).end('fake slack');
      } else if (request.url.includes('/gone/')) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('no_service');
      } else if (request.url.includes('/refuse-once/') && !refused.has(request.url)) {
        refused.add(request.url);
        response.writeHead(400, { 'Content-Type': 'text/plain' }).end('invalid_payload');
      } else {
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      }
    });
  })
  .listen(port, '127.0.0.1');
