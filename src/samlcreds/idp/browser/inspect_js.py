"""Playwright mode: the JavaScript that finds a page's login fields (user name, password, submit).

It marks what it found with ``data-samlcreds`` attributes and returns a summary
(``ready``, ``fields``, ``password``, ``user``, ``userLike``, ``userValue``,
``inForm``, ``submit``, ``signature``); the values of password fields are never read.
"""

INSPECT_JS = r"""
(sel) => {
  const typeOf = (el) => (el.getAttribute('type') || 'text').toLowerCase();
  const visible = (el) => {
    if (!el || el.disabled) return false;
    const s = window.getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || parseFloat(s.opacity || '1') === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  for (const el of document.querySelectorAll('[data-samlcreds]')) el.removeAttribute('data-samlcreds');
  const skip = ['hidden', 'submit', 'button', 'image', 'reset', 'checkbox', 'radio', 'file', 'range', 'color'];
  const fields = Array.from(document.querySelectorAll('input, textarea, select')).filter(
    (el) => visible(el) && !(el.tagName === 'INPUT' && skip.includes(typeOf(el))));
  const textTypes = ['text', 'email', 'tel', ''];
  const texts = fields.filter((el) => el.tagName === 'INPUT' && textTypes.includes(typeOf(el)) && !el.readOnly);
  const label = (el) => [el.name, el.id, el.getAttribute('autocomplete'), el.getAttribute('aria-label'),
                         el.getAttribute('placeholder'), typeOf(el)].join(' ');
  const userHint = /user|login|email|mail|name|ident|account|principal|upn/i;
  const notUser = /otp|code|token|pin|passcode|captcha|search/i;
  const pick = (selector) => { try { const el = document.querySelector(selector); return visible(el) ? el : null; }
                               catch (e) { return null; } };
  let password = sel.password ? pick(sel.password)
    : fields.find((el) => el.tagName === 'INPUT' && typeOf(el) === 'password' && !el.readOnly) || null;
  let user = null, userLike = false;
  if (sel.username) { user = pick(sel.username); userLike = !!user; }
  else {
    const scope = password && password.form ? texts.filter((el) => el.form === password.form) : texts;
    user = scope.find((el) => userHint.test(label(el)) && !notUser.test(label(el))) || null;
    userLike = !!user;
    if (!user && password && password.form) user = scope.find((el) => !notUser.test(label(el))) || null;
    if (!user && !password) user = texts.find((el) => !notUser.test(label(el))) || null;
  }
  if (password) password.setAttribute('data-samlcreds', 'password');
  if (user) user.setAttribute('data-samlcreds', 'username');
  const focus = password || user;
  const form = focus ? focus.form : null;
  let submit = null;
  if (sel.submit) submit = pick(sel.submit);
  else {
    const root = form || document;
    const buttons = Array.from(root.querySelectorAll('button, input[type=submit], input[type=image]')).filter(visible);
    submit = buttons.find((b) => (b.getAttribute('type') || 'submit').toLowerCase() === 'submit') || null;
  }
  if (submit) submit.setAttribute('data-samlcreds', 'submit');
  return {
    ready: document.readyState,
    fields: fields.length,
    password: !!password,
    user: !!user,
    userLike: userLike,
    userValue: user ? user.value : null,
    inForm: !!form,
    submit: !!submit,
    signature: fields.map((el) => el.tagName + ':' + typeOf(el) + ':' + (el.name || el.id || '')).join('|'),
  };
}
"""

