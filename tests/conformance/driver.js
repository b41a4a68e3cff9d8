'use strict';
/*
 * Runs Tencent's own app SDK (qcloud-iotexplorer-appdev-sdk, dist/cjs) in Node against the
 * simulator, for tests/conformance.
 *
 * The SDK is written for WeChat mini-programs: it talks to the cloud only through the `wx`
 * global, so `wx` is stubbed here with Node equivalents (fetch for wx.request, the `ws` package
 * for wx.connectSocket, a Map for storage). Everything else is the SDK's own code.
 *
 * Line protocol, one JSON object per line:
 *   stdin   {"id", "cmd", "args"}            a command (see COMMANDS)
 *   stdout  {"id", "ok": true, "result"}     its result
 *           {"id", "ok": false, "error"}     its failure (an SDK error {code, msg}, or a message)
 *           {"event", "data"}                something happened: an SDK event, a login, a socket
 *                                            opened, a WebSocket frame sent or received
 * The process exits when stdin closes.
 */
const crypto = require('node:crypto');
const readline = require('node:readline');
const util = require('node:util');
const WebSocket = require('ws');

function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// The SDK's logger prints with console.*: keep stdout for the protocol.
for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  console[level] = (...args) => process.stderr.write(`${util.format(...args)}\n`);
}

function event(name, data) {
  emit({ event: name, data });
}

const storage = new Map();

// A wx callback API answers through success/fail/complete; `outcome` is a promise.
function settle(options, outcome) {
  outcome.then(
    (result) => {
      options.success?.(result);
      options.complete?.(result);
    },
    (error) => {
      options.fail?.(error);
      options.complete?.(error);
    },
  );
}

async function request({ url, data, header = {}, method = 'GET', dataType = 'json' }) {
  const init = { method, headers: { 'content-type': 'application/json', ...header } };
  if (method !== 'GET' && data !== undefined) {
    init.body = typeof data === 'string' ? data : JSON.stringify(data);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw { errMsg: `request:fail ${error.message}` };
  }
  const text = await response.text();
  let body = text;
  if (dataType === 'json') {
    try {
      body = JSON.parse(text);
    } catch {
      // wx.request hands over the raw text when it is not JSON.
    }
  }
  return { data: body, statusCode: response.status, header: Object.fromEntries(response.headers) };
}

// wx.connectSocket's SocketTask on top of a `ws` client.
function connectSocket({ url }) {
  event('socket', { url });
  const socket = new WebSocket(url);
  const listeners = { open: [], close: [], error: [], message: [] };
  const fire = (kind, payload) => listeners[kind].forEach((listener) => listener(payload));
  socket.on('open', () => fire('open', {}));
  socket.on('message', (raw) => {
    const text = raw.toString();
    event('received', text);
    fire('message', { data: text });
  });
  socket.on('error', (error) => fire('error', { errMsg: error.message }));
  socket.on('close', (code, reason) => fire('close', { code, reason: reason.toString() }));
  return {
    onOpen: (listener) => listeners.open.push(listener),
    onClose: (listener) => listeners.close.push(listener),
    onError: (listener) => listeners.error.push(listener),
    onMessage: (listener) => listeners.message.push(listener),
    send({ data, success, fail }) {
      event('sent', data);
      socket.send(data, (error) => (error ? fail?.({ errMsg: error.message }) : success?.()));
    },
    close() {
      socket.close();
    },
  };
}

globalThis.wx = {
  request: (options) => settle(options, request(options)),
  connectSocket,
  getStorage: (options) =>
    settle(
      options,
      storage.has(options.key)
        ? Promise.resolve({ data: storage.get(options.key) })
        : Promise.reject({ errMsg: 'getStorage:fail data not found' }),
    ),
  setStorage: (options) => settle(options, Promise.resolve(storage.set(options.key, options.data))),
  removeStorage: (options) => settle(options, Promise.resolve(storage.delete(options.key))),
  getSystemInfoSync: () => ({ platform: 'devtools' }),
  onAppHide() {},
  onAppShow() {},
};

// Required only now: the SDK detects its environment (the `wx` global) when it is loaded.
const { AppDevSdk } = require('qcloud-iotexplorer-appdev-sdk');

const SDK_EVENTS = [
  'LoginStateChange',
  'wsError',
  'wsClose',
  'wsReport',
  'wsControl',
  'wsStatusChange',
  'wsDeviceBind',
  'wsDeviceUnbind',
  'wsEventReport',
  'wsActionPush',
  'wsActionReport',
  'wsSubDeviceBind',
  'wsSubDeviceUnbind',
];

/*
 * The AppGetToken signature of the API reference: parameters sorted by name ('_' read as '.'),
 * `name=value` joined with '&', empty values left out; Base64(HMAC-SHA1(AppSecret, that)).
 * This is the app developer's part (the SDK asks `getAccessToken` for a token and signs nothing).
 */
function sign(secret, params) {
  const source = Object.entries(params)
    .filter(([, value]) => value !== '' && value !== undefined && value !== null)
    .map(([key, value]) => [key.replace(/_/g, '.'), typeof value === 'string' ? value : JSON.stringify(value)])
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return crypto.createHmac('sha1', secret).update(source).digest('base64');
}

async function getToken({ apiUrl, appKey, appSecret, account }) {
  const params = {
    Action: 'AppGetToken',
    RequestId: crypto.randomUUID(),
    AppKey: appKey,
    Timestamp: Math.floor(Date.now() / 1000),
    Nonce: crypto.randomInt(1, 2 ** 31),
    Type: account.kind,
    CountryCode: account.countryCode,
    PhoneNumber: account.account,
    Password: account.password,
  };
  params.Signature = sign(appSecret, params);
  const response = await fetch(`${apiUrl}appapi`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const answer = await response.json();
  const { code, msg, data } = answer;
  if (data === undefined) {
    throw { code: 'NOT_WRAPPED', msg: `AppGetToken answered without {code, msg, data}: ${JSON.stringify(answer)}` };
  }
  if (code) {
    throw { code: data?.Error?.Code ?? code, msg: data?.Error?.Message ?? msg };
  }
  return data.Data;
}

let sdk = null;

function initialisedSdk() {
  if (!sdk) {
    throw new Error('send "init" first');
  }
  return sdk;
}

const COMMANDS = {
  // Build the SDK and log in: `getAccessToken` signs an AppGetToken call, as an app backend would.
  async init({ apiUrl, wsUrl, appKey, appSecret, account, heartbeatInterval }) {
    const wsConfig = { url: wsUrl };
    if (heartbeatInterval !== undefined) {
      wsConfig.heartbeatInterval = heartbeatInterval;
    }
    sdk = new AppDevSdk({
      appKey,
      apiUrl,
      wsConfig,
      getAccessToken: async () => {
        event('login', {});
        return getToken({ apiUrl, appKey, appSecret, account });
      },
    });
    for (const name of SDK_EVENTS) {
      sdk.on(name, (data) => event(name, data));
    }
    sdk.ws.on('connect', () => event('connect', {}));
    await sdk.init();
    return { userId: sdk.userId, isLogin: sdk.isLogin };
  },
  requestApi: ({ action, payload }) => initialisedSdk().requestApi(action, payload),
  defaultFamilyId: () => initialisedSdk().getDefaultFamilyId(),
  async subscribe({ deviceIds }) {
    await initialisedSdk().subscribeDevices(deviceIds);
    return { connected: sdk.ws.isConnected() };
  },
  status: () => ({ isLogin: initialisedSdk().isLogin, connected: sdk.ws.isConnected() }),
};

function describe(error) {
  if (error instanceof Error) {
    return { code: 'DRIVER_ERROR', msg: error.stack };
  }
  return error;
}

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const { id, cmd, args = {} } = JSON.parse(line);
  try {
    const command = COMMANDS[cmd];
    if (!command) {
      throw new Error(`unknown command ${cmd}`);
    }
    emit({ id, ok: true, result: (await command(args)) ?? null });
  } catch (error) {
    emit({ id, ok: false, error: describe(error) });
  }
});
process.stdin.on('end', () => process.exit(0));
