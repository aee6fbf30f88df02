// A stand-in for Slack's incoming webhooks in the browser tests (the server
// runs with SLACK_BASE_URL pointing here). By the URL's path:
// - "/gone/": 404 `no_service`, like a deleted Slack webhook;
// - "/refuse-once/": the first post 400 `invalid_payload` (the message is
//   given up), the later ones accepted;
// - "/archived-on-cue/": posts wait, unanswered, until the test cues the
//   path (`POST /_cue` with the path as body); then they and any later ones
//   get 410 `channel_is_archived` (so messages queue up behind the first,
//   then are held);
// - any other: accepted, its message's text recorded in order of arrival
//   (`GET /_arrivals?path=...` answers them as a JSON array).
const http = require('http');

const refused = new Set();
const cued = new Set();
const waitingForCue = new Map(); // path -> [response]
const arrivals = new Map(); // path -> [text]

function goneAnswer(response) {
  response.writeHead(404, { 'Content-Type': 'text/plain' }).end('no_service');
}

function archivedAnswer(response) {
  response.writeHead(410, { 'Content-Type': 'text/plain' }).end('channel_is_archived');
}

const port = Number(process.env.FAKE_SLACK_PORT ?? '3108');
http
  .createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const url = new URL(request.url, 'http://fake');
      const path = url.pathname;
      if (request.method === 'GET' && path === '/_arrivals') {
        const texts = arrivals.get(url.searchParams.get('path')) ?? [];
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(texts));
      } else if (request.method === 'GET') {
        response.writeHead(200).end('fake slack');
      } else if (path === '/_cue') {
        cued.add(body);
        for (const waiting of waitingForCue.get(body) ?? []) archivedAnswer(waiting);
        waitingForCue.delete(body);
        response.writeHead(200).end('cued');
      } else if (path.includes('/gone/')) {
        goneAnswer(response);
      } else if (path.includes('/archived-on-cue/')) {
        if (cued.has(path)) {
          archivedAnswer(response);
        } else {
          waitingForCue.set(path, [...(waitingForCue.get(path) ?? []), response]);
        }
      } else if (path.includes('/refuse-once/') && !refused.has(path)) {
        refused.add(path);
        response.writeHead(400, { 'Content-Type': 'text/plain' }).end('invalid_payload');
      } else {
        let text = body;
        try {
          text = JSON.parse(body).text;
        } catch (_) {}
        arrivals.set(path, [...(arrivals.get(path) ?? []), text]);
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      }
    });
  })
  .listen(port, '127.0.0.1');
