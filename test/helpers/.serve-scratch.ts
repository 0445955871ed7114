import { startStack } from './stack.js';
const stack = await startStack();
console.log(JSON.stringify({ url: stack.url, token: await stack.tokenFor('alice') }));
setInterval(() => {}, 1000);
