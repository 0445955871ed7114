import { readFileSync } from 'node:fs';
import { startHeaderProxy } from './auth-proxy.js';
const { url, token } = JSON.parse(readFileSync('/tmp/serve.json', 'utf8'));
const proxy = await startHeaderProxy(url, { Authorization: `Bearer ${token}` });
console.log(proxy.url);
setInterval(() => {}, 1000);
