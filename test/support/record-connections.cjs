/**
 * Preloaded with `node --require`: records every TCP connection and DNS lookup the process attempts, one line each,
 * to the file named by SPENDSENSE_CONNECTIONS_LOG. Unix-socket and pipe connections (IPC) are not network and are left
 * out. Connections to loopback go ahead; any other is refused before it leaves the machine (the socket fails with
 * EBLOCKED), so that a test of offline behaviour never sends traffic anywhere even when the code under test regresses.
 */
const dns = require('node:dns');
const fs = require('node:fs');
const net = require('node:net');

const file = process.env.SPENDSENSE_CONNECTIONS_LOG;
const record = (line) => {
  if (file) fs.appendFileSync(file, `${line}\n`);
};

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  // A TCP connection has a port; an IPC one only a path (HTTP passes its request path too, so the port decides).
  if (options.port !== undefined && options.port !== null && typeof first !== 'string') {
    const host = options.host ?? 'localhost';
    record(`connect ${host}:${options.port}`);
    if (!LOOPBACK.has(host)) {
      const error = Object.assign(new Error(`connection to ${host}:${options.port} blocked by the test`), {
        code: 'EBLOCKED',
      });
      process.nextTick(() => this.destroy(error));
      return this;
    }
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  record(`lookup ${hostname}`);
  if (!LOOPBACK.has(hostname)) {
    const callback = rest.pop();
    const error = Object.assign(new Error(`lookup of ${hostname} blocked by the test`), { code: 'EBLOCKED' });
    process.nextTick(() => callback(error));
    return {};
  }
  return lookup.call(this, hostname, ...rest);
};
