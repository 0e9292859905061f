/** The frame of every page: its language, its navigation, a style sheet of our own (nothing from a CDN). */
import { html, raw, type Html } from './html.js';
import { t, type Lang } from './i18n.js';

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{display:flex;gap:1.2rem;align-items:center;padding:.6rem 1.2rem;background:#000091;color:#fff;flex-wrap:wrap}
header a{color:#fff}
header button{color:#fff;background:transparent;border:1px solid #fff;border-radius:3px;padding:.15rem .5rem}
header nav{display:flex;gap:1rem}
main{padding:1rem 1.2rem;max-width:1400px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}
.needs{background:#fff4e5}
.flash{background:#e6f4ea;border:1px solid #2e7d32;padding:.5rem;margin:.5rem 0}
.error{background:#fdecea;border:1px solid #b71c1c;padding:.5rem;margin:.5rem 0}
form.inline{display:inline}
fieldset{border:1px solid #ccc;margin:.8rem 0;padding:.6rem;background:#fff}
label{display:block;margin:.3rem 0 .1rem}
input,select,textarea,button{font:inherit}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end}
.filters label{margin:0}
.counts{display:flex;gap:.8rem;flex-wrap:wrap;margin:.5rem 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #fc5d00;outline-offset:1px}
`;

/**
 * Keeps the page current without reloading it: the same URL (so the same filters) is read again now and then, and
 * only the part marked data-live is replaced, so a form being filled in or the focus is never lost.
 */
const REFRESH_SCRIPT = `(() => {
  const every = Number(document.currentScript.dataset.refresh) * 1000;
  const tick = async () => {
    const live = document.querySelector('[data-live]');
    if (live && !live.contains(document.activeElement)) {
      const res = await fetch(location.href, { headers: { accept: 'text/html' } }).catch(() => null);
      if (res && res.ok && res.url === location.href) {
        const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('[data-live]');
        if (next) live.replaceWith(next);
      }
    }
    setTimeout(tick, every);
  };
  setTimeout(tick, every);
})();`;

export interface PageFrame {
  lang: Lang;
  title: string;
  /** Signed in: the navigation and the sign-out form. */
  csrfToken?: string;
  /** Read the page again every N seconds and replace its data-live part (same URL: the filters stay). */
  refreshSeconds?: number;
  /** The same page in the other language. */
  otherLangHref: string;
}

export function page(frame: PageFrame, body: Html): string {
  const { lang } = frame;
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${frame.title} · chorus-relay</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <header>
          <strong>chorus-relay</strong>
          ${
            frame.csrfToken
              ? html`<nav aria-label="Menu">
                    <a href="/app">${t(lang, 'invoices')}</a>
                    <a href="/app/validations">${t(lang, 'validations')}</a>
                    <a href="/app/suppliers">${t(lang, 'suppliers')}</a>
                  </nav>
                  <form class="inline" method="post" action="/app/sign-out">
                    <input type="hidden" name="csrf" value="${frame.csrfToken}" /><button type="submit">
                      ${t(lang, 'signOut')}
                    </button>
                  </form>`
              : ''
          }
          <a href="${frame.otherLangHref}" lang="${lang === 'fr' ? 'en' : 'fr'}">${t(lang, 'language')}</a>
        </header>
        <main>
          <h1>${frame.title}</h1>
          ${body}
        </main>
        ${
          frame.refreshSeconds
            ? html`<script data-refresh="${frame.refreshSeconds}">
                ${raw(REFRESH_SCRIPT)};
              </script>`
            : ''
        }
      </body>
    </html>`.value;
}
