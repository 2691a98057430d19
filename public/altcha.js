// @ts-check
// Solves the registration page's proof-of-work challenge (ALTCHA v2, SHA-256, deterministic mode):
// find the counter whose SHA-256(salt | nonce | counter as 4 bytes big-endian) starts with the
// challenge's key prefix, then send {challenge, solution} as base64 JSON in the "altcha" field.
(() => {
  const input = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name="altcha"][data-challenge]'));
  if (!input) return;
  const button = /** @type {HTMLButtonElement | null} */ (input.form.querySelector('[data-needs-challenge]'));
  const status = document.getElementById('challenge-status');
  const say = (text) => { if (status) status.textContent = text; };
  const hex = (h) => new Uint8Array(h.match(/../g).map((b) => parseInt(b, 16)));
  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

  async function solve(challenge) {
    const p = challenge.parameters;
    const salt = hex(p.salt);
    const nonce = hex(p.nonce);
    const prefix = hex(p.keyPrefix);
    const started = performance.now();
    const batch = 500;
    for (let start = 0; start < 2 ** 32; start += batch) {
      const tries = [];
      for (let n = start; n < start + batch; n++) {
        const data = new Uint8Array(salt.length + nonce.length + 4);
        data.set(salt, 0);
        data.set(nonce, salt.length);
        new DataView(data.buffer).setUint32(salt.length + nonce.length, n, false);
        tries.push(crypto.subtle.digest('SHA-256', data));
      }
      const keys = await Promise.all(tries);
      for (let i = 0; i < keys.length; i++) {
        const key = new Uint8Array(keys[i]).subarray(0, p.keyLength || 32);
        if (prefix.every((b, j) => key[j] === b)) {
          return { counter: start + i, derivedKey: toHex(key), time: Math.round(performance.now() - started) };
        }
      }
    }
    return null;
  }

  if (button) button.disabled = true;
  say('Checking you are not a bot…');
  const challenge = JSON.parse(input.dataset.challenge);
  solve(challenge).then((solution) => {
    if (!solution) throw new Error('no solution');
    input.value = btoa(JSON.stringify({ challenge, solution }));
    say('Done: you can join.');
    if (button) button.disabled = false;
  }).catch(() => say('The check failed: reload the page to try again.'));
})();
