// charte's client guard, filled in with a charter's data by `Charter::guard_script`.
// Load it first in <head>, before any other script. It wraps `document.cookie` and
// `cookieStore.set`: a script can write only the cookies the charter declares, and
// those that need consent only once the visitor has granted it. Every write refused
// is reported with console.warn. The script served has this file's full-line
// comments and indentation stripped: keep comments on lines of their own.
(() => {
  "use strict";
  // Declared names -> what a script's write needs: 0 nothing, 1 statistics,
  // 2 first-party, 3 third-party consent (the consent value's digits, in order),
  // 4 never written by scripts (declared HttpOnly: only the server sets it).
  const names = new Map(__NAMES__);
  // Prefix patterns (`_pk_id*` declared, `_pk_id` here) -> the same numbers.
  const patterns = __PATTERNS__;
  // The consent cookie's name (null when the charter declares none), how long a
  // decision lasts and how far ahead its time may be, in seconds.
  const consentName = __CONSENT__;
  const lifetime = __LIFETIME__;
  const skew = __SKEW__;
  const categories = ["statistics", "first-party", "third-party"];
  // Format 1 `1.<rev>.<time>.<s><f><t>` and format 2 `2.<rev>.<time>.<s><f><t>.<id>`,
  // of this charter's revision only.
  const format = /^(?:1\.__REVISION__\.(0|[1-9]\d{0,18})\.([01]{3})|2\.__REVISION__\.(0|[1-9]\d{0,18})\.([01]{3})\.[0-9a-z]{26})$/;
  // A consent cookie declared HttpOnly is out of a script's reach: the page gives the
  // value it carries in `data-consent` on this script's tag. Read once, now, before
  // any other script can touch the tag; without it, or with a value that is not a
  // current decision, the guard grants nothing.
  const httpOnly = __HTTP_ONLY__;
  const script = document.currentScript;
  const given = httpOnly && script ? script.getAttribute("data-consent") : null;
  const native = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  const trim = (s) => s.replace(/^[ \t]+|[ \t]+$/g, "");

  // The decision in a consent value, {time, digits}, or null when the value is not a
  // valid, current decision.
  const decode = (value) => {
    const m = format.exec(value);
    if (!m) return null;
    const time = +(m[1] || m[3]);
    const now = Date.now() / 1000;
    return time <= now + skew && now - time <= lifetime ? { time, digits: m[2] || m[4] } : null;
  };

  // The digits the visitor's current consent grants ("000": nothing). Every copy of
  // the cookie is read: the latest valid decision applies; on a tie, what both grant.
  const consent = () => {
    if (httpOnly) return (decode(given) || { digits: "000" }).digits;
    let best = null;
    for (const pair of native.get.call(document).split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0 || trim(pair.slice(0, eq)) !== consentName) continue;
      const d = decode(trim(pair.slice(eq + 1)));
      if (!d || (best && d.time < best.time)) continue;
      if (best && d.time === best.time) {
        d.digits = d.digits.replace(/1/g, (one, i) => best.digits[i]);
      }
      best = d;
    }
    return best ? best.digits : "000";
  };

  // Why a script may not write the cookie `name` now, or "" when it may. Exact names
  // first, then patterns, as the server's lookup does.
  const refusal = (name) => {
    let need = names.get(name);
    if (need === undefined) {
      const p = patterns.find((p) => name.startsWith(p[0]));
      if (!p) return "it is not declared in the charter";
      need = p[1];
    }
    if (need === 4) return "it is declared HttpOnly: only the server sets it";
    if (need && consent()[need - 1] !== "1") {
      return "the visitor has not granted " + categories[need - 1];
    }
    return "";
  };

  const warn = (name, why) =>
    console.warn("charte: cookie \"" + name + "\" not written: " + why + ".");

  // `document.cookie = "name=value; attributes"`, read as a browser reads it: the name
  // is what comes before the first `=` of the part before the first `;`, spaces and
  // tabs trimmed. A removal (a valid Max-Age <= 0, else an Expires in the past)
  // passes, made sure of by a last `Max-Age=0`: the browser obeys the last valid
  // Max-Age over any Expires, so what passes as a removal cannot set a cookie.
  Object.defineProperty(Document.prototype, "cookie", {
    configurable: true,
    enumerable: native.enumerable,
    get: native.get,
    set(value) {
      const text = String(value);
      const parts = text.split(";");
      const eq = parts[0].indexOf("=");
      const name = eq < 0 ? "" : trim(parts[0].slice(0, eq));
      const why = refusal(name);
      // `text`, not `value`: an object converted twice could name another cookie.
      if (!why) return native.set.call(this, text);
      let maxAge = null;
      let expires = null;
      for (const attribute of parts.slice(1)) {
        const at = attribute.indexOf("=");
        const key = trim(at < 0 ? attribute : attribute.slice(0, at)).toLowerCase();
        const v = at < 0 ? "" : trim(attribute.slice(at + 1));
        if (key === "max-age" && /^-?\d+$/.test(v)) maxAge = +v;
        if (key === "expires" && !isNaN(Date.parse(v))) expires = Date.parse(v);
      }
      if (maxAge === null ? expires !== null && expires < Date.now() : maxAge <= 0) {
        return native.set.call(this, text + "; Max-Age=0");
      }
      warn(name, why);
    },
  });

  // `cookieStore.set(name, value)` or `cookieStore.set({name, value, expires, ...})`.
  // A removal (an `expires` in the past) passes, as does `cookieStore.delete`. A
  // refused write resolves without writing: a refused `document.cookie` write is
  // silent too, and a rejection would break the caller's chain. The options are read
  // once, into the copy judged and passed on: a getter cannot change them in between.
  // The name is taken as given, untrimmed: a name the browser would trim is refused.
  if (window.CookieStore) {
    const set = CookieStore.prototype.set;
    const fields = ["name", "value", "expires", "domain", "path", "sameSite", "partitioned"];
    CookieStore.prototype.set = function (first, value) {
      let options = { name: first, value };
      if (first !== null && typeof first === "object") {
        options = {};
        for (const field of fields) {
          const v = first[field];
          if (v !== undefined) options[field] = v;
        }
      }
      options.name = String(options.name);
      const why = refusal(options.name);
      if (!why || (options.expires != null && +options.expires < Date.now())) {
        return set.call(this, options);
      }
      warn(options.name, why);
      return Promise.resolve();
    };
  }
})();
