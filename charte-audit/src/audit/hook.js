// Injected by `charte audit` before any script of every document (frames included):
// reports each cookie write by a script, with the URL of the script that wrote it,
// then lets the write happen. Reporting goes through a DevTools binding, which the
// page cannot read back.
(() => {
  const report = globalThis.__BINDING__;
  if (typeof report !== 'function') return;
  try { delete globalThis.__BINDING__; } catch (e) { /* kept: harmless */ }
  // The first frame of the stack with an http(s) URL is the calling script's (this
  // script has none). An inline script shows as its page's URL.
  const caller = () => {
    const lines = String(new Error().stack || '').split('\n');
    for (const line of lines) {
      const found = line.match(/(https?:\/\/[^\s()]+?):\d+:\d+\)?\s*$/);
      if (found) return found[1];
    }
    return String(location.href);
  };
  const send = (entry) => {
    try {
      entry.script = caller();
      entry.page = String(location.href);
      report(JSON.stringify(entry));
    } catch (e) { /* never break the page */ }
  };
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (cookie && cookie.set) {
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      enumerable: cookie.enumerable,
      get() { return cookie.get.call(this); },
      set(value) {
        send({ via: 'document.cookie', line: String(value) });
        cookie.set.call(this, value);
      },
    });
  }
  if (typeof CookieStore === 'function' && CookieStore.prototype.set) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (...args) {
      const options = typeof args[0] === 'object' && args[0] !== null
        ? args[0] : { name: args[0], value: args[1] };
      send({ via: 'cookieStore', options: {
        name: String(options.name), value: String(options.value ?? ''),
        expires: options.expires ?? null, domain: options.domain ?? null,
        path: options.path ?? null, sameSite: options.sameSite ?? null,
      } });
      return set.apply(this, args);
    };
  }
})();
