// Starts telegram-test-api (a Bot API mock written by others) for tests/peers/test_telegram_test_api.py:
// `node serve.js PORT` listens on 127.0.0.1:PORT, prints "ready" once it does, and stops when
// its stdin closes (the test process ended), so no server outlives the test.
'use strict';
const TelegramServer = require('telegram-test-api');

async function main() {
  const port = Number(process.argv[2]);
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  process.stdout.write('ready\n');
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
