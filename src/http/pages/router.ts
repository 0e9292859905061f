/**
 * The pages at /app, for the people who act on invoices: sign in with an API key, the invoices (needs action first,
 * filters, search by number, CSV), one invoice with its timeline and the fix that applies, the validator inbox, the
 * supplier accounts. Server-rendered HTML in French (English by a switch), no script; every read and every action
 * goes through the API with the signed-in key (api.ts).
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { BoardLogin } from '../../access/board-login.js';
import type { BoardSessions } from '../../access/board-sessions.js';
import type { AppContext } from '../../context.js';
import type { InvoiceView, SupplierView, ValidationView } from '../schemas.js';
import { pageHeaders } from '../page-headers.js';
import { apiFor, type Api, type ApiError } from './api.js';
import { html, type Html } from './html.js';
import { CORRECTABLE_REASONS } from '../../invoices/action-required.js';
import { MAX_FILE_BYTES } from '../../invoices/submission.js';
import { STAGE_WORDS, t, type Lang, type Word } from './i18n.js';
import { page } from './layout.js';
import {
  csrfMatches,
  endSession,
  LANG_COOKIE,
  langOf,
  readSession,
  SESSION_MS,
  startSession,
  type Session,
} from './session.js';

const STAGES = Object.keys(STAGE_WORDS);
/** The filters of the invoices page, passed to GET /v1/invoices as they are. */
const LIST_FILTERS = [
  'stage',
  'needsAction',
  'supplierSiret',
  'recipientSiret',
  'marketNumber',
  'numberStartsWith',
  'updatedFrom',
  'updatedTo',
  'cursor',
] as const;
const REFRESH_SECONDS = 20;

interface Signed {
  session: Session;
  api: Api;
  lang: Lang;
}

const formSchema = z.record(z.string(), z.string());

/** The query string of this request, in the other language. */
function otherLang(req: Request, lang: Lang): string {
  const query = new URLSearchParams(req.query as Record<string, string>);
  query.set('lang', lang === 'fr' ? 'en' : 'fr');
  return `${req.baseUrl}${req.path === '/' ? '' : req.path}?${query.toString()}`;
}

const errorBox = (body: ApiError, status: number): Html =>
  html`<div class="error" role="alert">
    <p>${body.error?.message ?? `HTTP ${status}`}${body.error?.code ? html` (<code>${body.error.code}</code>)` : ''}</p>
    ${
      body.error?.details?.length
        ? html`<ul>
            ${body.error.details.map((d) => html`<li><code>${d.path ?? ''}</code> ${d.message ?? ''}</li>`)}
          </ul>`
        : ''
    }
  </div>`;

const when = (iso: string | null | undefined, lang: Lang) =>
  iso ? new Date(iso).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: 'Europe/Paris' }) : '';

const money = (amount: string | null, lang: Lang) =>
  amount === null
    ? ''
    : `${Number(amount).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: 2 })} €`;

export interface PagesLogins {
  /** Bull Board's login and its lock-outs, shared with the board. */
  boardLogin: BoardLogin;
  /** The API credentials of sessions signed in with that login. */
  boardSessions: BoardSessions;
}

export function pagesRouter(ctx: AppContext, logins: PagesLogins): express.Router {
  const router = express.Router();
  const secure = ctx.config.env !== 'development' && ctx.config.env !== 'test';
  const now = () => ctx.clock.now().getTime();
  router.use(pageHeaders);
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));
  router.use((req, res, next) => {
    if (typeof req.query.lang === 'string' && (req.query.lang === 'en' || req.query.lang === 'fr'))
      res.cookie(LANG_COOKIE, req.query.lang, { sameSite: 'strict', secure, path: '/app', httpOnly: true });
    next();
  });

  /** Pages that need a session: else to the sign-in page; forms must carry the session's CSRF token. */
  const signedIn =
    (handler: (req: Request, res: Response, signed: Signed) => Promise<void>): RequestHandler =>
    async (req, res, next) => {
      try {
        const lang = langOf(req);
        const session = readSession(req, ctx.secretBox, now());
        if (!session) {
          if (req.method === 'GET')
            return res.redirect(303, `/app/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
          return res
            .status(401)
            .type('html')
            .send(signInPage(req, lang, t(lang, 'badKey')));
        }
        if (req.method === 'POST' && !csrfMatches(session, formSchema.safeParse(req.body).data?.csrf)) {
          return res.status(403).type('text').send('This form is out of date: reload the page and send it again.');
        }
        await handler(req, res, { session, api: apiFor(req, session.apiKey), lang });
      } catch (error) {
        next(error);
      }
    };

  function signInPage(req: Request, lang: Lang, problem?: string): string {
    const next = typeof req.query.next === 'string' && req.query.next.startsWith('/app') ? req.query.next : '/app';
    return page(
      { lang, title: t(lang, 'signIn'), otherLangHref: otherLang(req, lang) },
      html`${problem ? html`<div class="error" role="alert">${problem}</div>` : ''}
        <form method="post" action="/app/sign-in">
          <input type="hidden" name="next" value="${next}" />
          <label for="apiKey">${t(lang, 'apiKey')}</label>
          <input
            id="apiKey"
            name="apiKey"
            type="password"
            autocomplete="current-password"
            required
            size="48"
            aria-describedby="key-help"
          />
          <p id="key-help">${t(lang, 'signInHelp')}</p>
          <button type="submit">${t(lang, 'signIn')}</button>
        </form>
        <form method="post" action="/app/sign-in">
          <fieldset>
            <legend>${t(lang, 'boardSignIn')}</legend>
            <input type="hidden" name="next" value="${next}" />
            <p id="board-help">${t(lang, 'boardSignInHelp')}</p>
            <label for="boardUser">${t(lang, 'boardUser')}</label>
            <input id="boardUser" name="boardUser" autocomplete="username" required aria-describedby="board-help" />
            <label for="boardPassword">${t(lang, 'boardPassword')}</label>
            <input id="boardPassword" name="boardPassword" type="password" autocomplete="current-password" required />
            <p><button type="submit">${t(lang, 'boardSignInButton')}</button></p>
          </fieldset>
        </form>`,
    );
  }

  router.get('/sign-in', (req, res) => {
    res.type('html').send(signInPage(req, langOf(req)));
  });

  router.post('/sign-in', async (req, res, next) => {
    try {
      const lang = langOf(req);
      const form = formSchema.safeParse(req.body).data ?? {};
      let apiKey: string;
      if (form.boardUser !== undefined) {
        // The board's login, with the board's lock-outs; the session then acts through the API with a credential
        // of its own (board-sessions.ts), since it holds no key.
        const outcome = logins.boardLogin.attempt(
          form.boardUser,
          form.boardPassword ?? '',
          req.ip ?? 'unknown',
          'pages',
        );
        if (!outcome.ok) {
          if (outcome.retryAfterSeconds !== null) res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
          res
            .status(outcome.retryAfterSeconds !== null ? 429 : 401)
            .type('html')
            .send(signInPage(req, lang, t(lang, outcome.retryAfterSeconds !== null ? 'loginLocked' : 'badLogin')));
          return;
        }
        apiKey = logins.boardSessions.issue(now() + SESSION_MS);
      } else {
        apiKey = (form.apiKey ?? '').trim();
        // The key is checked by the API itself: a page it can read is a key it knows.
        const check = apiKey ? await apiFor(req, apiKey).get('/stats') : { status: 401 };
        if (check.status !== 200) {
          res
            .status(401)
            .type('html')
            .send(signInPage(req, lang, t(lang, 'badKey')));
          return;
        }
      }
      startSession(res, ctx.secretBox, apiKey, now(), secure);
      const target = form.next?.startsWith('/app') ? form.next : '/app';
      res.redirect(303, target);
    } catch (error) {
      next(error);
    }
  });

  router.post(
    '/sign-out',
    signedIn((_req, res) => {
      endSession(res, secure);
      res.redirect(303, '/app/sign-in');
      return Promise.resolve();
    }),
  );

  router.get(
    '/',
    signedIn(async (req, res, { session, api, lang }) => {
      const query = new URLSearchParams();
      for (const name of LIST_FILTERS) {
        const value = req.query[name];
        if (typeof value === 'string' && value.trim() !== '') query.set(name, value.trim());
      }
      const stats = await api.get<{ byStage: Record<string, number>; needsAction: { total: number } }>('/stats');
      const listed = await api.get<{ data: InvoiceView[]; nextCursor: string | null } & ApiError>(
        `/invoices?${query.toString()}&limit=50`,
      );
      // Needs action first, unless the filters already chose.
      const first =
        !query.has('needsAction') && !query.has('cursor')
          ? await api.get<{ data: InvoiceView[] } & ApiError>(
              `/invoices?${new URLSearchParams([...query, ['needsAction', 'true']]).toString()}&limit=50`,
            )
          : null;
      const needing = first?.status === 200 ? first.body.data : [];
      const rows = listed.status === 200 ? listed.body.data.filter((i) => !needing.some((n) => n.id === i.id)) : [];
      const value = (name: string) => (typeof req.query[name] === 'string' ? String(req.query[name]) : '');
      const textFilter = (name: string, word: Word, inputMode: 'numeric' | 'text') =>
        html`<div>
          <label for="${name}">${t(lang, word)}</label
          ><input id="${name}" name="${name}" inputmode="${inputMode}" size="15" value="${value(name)}" />
        </div>`;
      const csvQuery = new URLSearchParams(query);
      csvQuery.delete('cursor');
      const nextQuery = new URLSearchParams(query);
      if (listed.status === 200 && listed.body.nextCursor) nextQuery.set('cursor', listed.body.nextCursor);
      res.type('html').send(
        page(
          {
            lang,
            title: t(lang, 'invoices'),
            csrfToken: session.csrfToken,
            refreshSeconds: REFRESH_SECONDS,
            otherLangHref: otherLang(req, lang),
          },
          html`<section aria-labelledby="counts-title">
              <h2 id="counts-title">${t(lang, 'counts')}</h2>
              <p class="counts">
                <a href="/app?needsAction=true"
                  ><strong>${t(lang, 'needsAction')} : ${stats.body.needsAction?.total ?? 0}</strong></a
                >
                ${STAGES.map((stage) => html`<a href="/app?stage=${stage}">${STAGE_WORDS[stage]![lang]} : ${stats.body.byStage?.[stage] ?? 0}</a>`)}
              </p>
            </section>
            <form method="get" action="/app" class="filters" aria-label="${t(lang, 'filter')}">
              <div>
                <label for="numberStartsWith">${t(lang, 'search')}</label
                ><input id="numberStartsWith" name="numberStartsWith" value="${value('numberStartsWith')}" />
              </div>
              <div>
                <label for="stage">${t(lang, 'stage')}</label
                ><select id="stage" name="stage">
                  <option value="">${t(lang, 'anyStage')}</option>
                  ${STAGES.map(
                    (stage) =>
                      html`<option value="${stage}" ${value('stage') === stage ? html` selected` : ''}>
                        ${STAGE_WORDS[stage]![lang]}
                      </option>`,
                  )}
                </select>
              </div>
              <div>
                <label for="needsAction">${t(lang, 'needsAction')}</label
                ><select id="needsAction" name="needsAction">
                  <option value="">${t(lang, 'allInvoices')}</option>
                  <option value="true" ${value('needsAction') === 'true' ? html` selected` : ''}>
                    ${t(lang, 'needsAction')}
                  </option>
                </select>
              </div>
              ${textFilter('supplierSiret', 'supplier', 'numeric')}
              ${textFilter('recipientSiret', 'recipient', 'numeric')} ${textFilter('marketNumber', 'market', 'text')}
              <div>
                <label for="updatedFrom">${t(lang, 'updatedFrom')}</label
                ><input id="updatedFrom" name="updatedFrom" type="date" value="${value('updatedFrom')}" />
              </div>
              <div>
                <label for="updatedTo">${t(lang, 'updatedTo')}</label
                ><input id="updatedTo" name="updatedTo" type="date" value="${value('updatedTo')}" />
              </div>
              <div><button type="submit">${t(lang, 'filter')}</button></div>
            </form>
            ${listed.status === 200 ? '' : errorBox(listed.body, listed.status)}
            <p><a href="/app/invoices.csv?${csvQuery.toString()}">${t(lang, 'exportCsv')}</a></p>
            <div data-live>${invoiceTable(lang, [...needing, ...rows])}</div>
            ${listed.status === 200 && listed.body.nextCursor ? html`<p><a href="/app?${nextQuery.toString()}">${t(lang, 'next')}</a></p>` : ''}`,
        ),
      );
    }),
  );

  router.get(
    '/invoices.csv',
    signedIn(async (req, res, { api }) => {
      const query = new URLSearchParams();
      for (const name of LIST_FILTERS) {
        const value = req.query[name];
        if (name !== 'cursor' && typeof value === 'string' && value.trim() !== '') query.set(name, value.trim());
      }
      const csv = await api.csv(`/invoices?${query.toString()}`);
      res.status(csv.status).type('text/csv; charset=utf-8').attachment('invoices.csv').send(csv.body);
    }),
  );

  router.get(
    '/invoices/:id',
    signedIn(async (req, res, { session, api, lang }) => {
      const id = String(req.params.id);
      const found = await api.get<InvoiceView & ApiError>(`/invoices/${encodeURIComponent(id)}`);
      if (found.status !== 200) {
        res
          .status(found.status)
          .type('html')
          .send(
            page(
              { lang, title: t(lang, 'invoices'), csrfToken: session.csrfToken, otherLangHref: otherLang(req, lang) },
              errorBox(found.body, found.status),
            ),
          );
        return;
      }
      res.type('html').send(invoicePage(req, lang, session, found.body));
    }),
  );

  function invoicePage(req: Request, lang: Lang, session: Session, invoice: InvoiceView, problem?: Html): string {
    const csrf = html`<input type="hidden" name="csrf" value="${session.csrfToken}" />`;
    const action = invoice.chorus.action;
    const base = `/app/invoices/${invoice.id}`;
    const forms: Html[] = [];
    if (invoice.state === 'needs_attention' || invoice.state === 'precheck_failed')
      forms.push(
        html`<form method="post" action="${base}/retry">
          ${csrf}<button type="submit">${t(lang, 'retry')}</button>
        </form>`,
      );
    /** One fix as a fieldset: its fields, the session's token, a send button. */
    const fixForm = (kind: string, legend: Word, fields: Html, multipart = false) =>
      html`<fieldset>
        <legend>${t(lang, legend)}</legend>
        <form method="post" action="${base}/${kind}" ${multipart ? html`enctype="multipart/form-data"` : ''}>
          ${csrf} ${fields}
          <p><button type="submit">${t(lang, 'send')}</button></p>
        </form>
      </fieldset>`;
    if (action === 'recycle')
      forms.push(
        fixForm(
          'recycle',
          'recycle',
          html`<label for="r-recipient">${t(lang, 'recipient')}</label
            ><input id="r-recipient" name="recipientSiret" inputmode="numeric" value="${invoice.recipientSiret}" />
            <label for="r-service">${t(lang, 'serviceCode')}</label
            ><input id="r-service" name="serviceCode" value="${invoice.serviceCode ?? ''}" />
            <label for="r-engagement">${t(lang, 'engagementNumber')}</label
            ><input id="r-engagement" name="engagementNumber" value="${invoice.engagementNumber ?? ''}" />
            <label for="r-comment">${t(lang, 'comment')}</label
            ><textarea id="r-comment" name="comment" rows="2" cols="60"></textarea>`,
        ),
      );
    if (action === 'complete')
      forms.push(
        fixForm(
          'complete',
          'complete',
          html`<label for="c-comment">${t(lang, 'comment')}</label
            ><textarea id="c-comment" name="comment" rows="3" cols="60" required></textarea>
            <label for="c-file">${t(lang, 'attachment')}</label
            ><input id="c-file" name="attachment" type="file" accept="application/pdf" />`,
          true,
        ),
      );
    if (action === 'correct-validator')
      forms.push(
        fixForm(
          'correct-validator',
          'correctValidator',
          html`<label for="v-siret">${t(lang, 'validatorSiret')}</label
            ><input id="v-siret" name="validatorSiret" inputmode="numeric" required />`,
        ),
      );
    if (
      invoice.actionRequired &&
      CORRECTABLE_REASONS.has(invoice.actionRequired.reason) &&
      !invoice.correctedByInvoiceId
    ) {
      const amountField = (name: 'amountWithoutVat' | 'vatAmount' | 'amountWithVat') =>
        html`<label for="n-${name}">${t(lang, name)}</label
          ><input id="n-${name}" name="${name}" inputmode="decimal" required size="12" value="${invoice[name]}" />`;
      forms.push(
        fixForm(
          'correct',
          'correctedInvoice',
          html`<p id="n-help">${t(lang, 'newNumberHelp')}</p>
            <label for="n-number">${t(lang, 'newNumber')}</label
            ><input id="n-number" name="number" required maxlength="20" aria-describedby="n-help" />
            <label for="n-date">${t(lang, 'issueDate')}</label
            ><input id="n-date" name="issueDate" type="date" required value="${invoice.issueDate}" />
            ${amountField('amountWithoutVat')} ${amountField('vatAmount')} ${amountField('amountWithVat')}
            ${
              invoice.depositMode === 'data'
                ? ''
                : html`<label for="n-file">${t(lang, 'correctedFile')}</label
                    ><input
                      id="n-file"
                      name="file"
                      type="file"
                      required
                      accept=".pdf,.xml,application/pdf,application/xml"
                    />`
            }
            ${
              invoice.depositMode === 'flux'
                ? ''
                : html`<label for="n-comment">${t(lang, 'comment')}</label
                    ><textarea id="n-comment" name="comment" rows="2" cols="60">${invoice.comment ?? ''}</textarea>`
            }`,
          true,
        ),
      );
    }
    const stage = invoice.chorus.stage ? STAGE_WORDS[invoice.chorus.stage]![lang] : invoice.state;
    const pending = invoice.followUps?.some((f) => f.state !== 'done' && f.state !== 'failed') ?? false;
    return page(
      {
        lang,
        title: `${t(lang, 'invoices')} ${invoice.number}`,
        csrfToken: session.csrfToken,
        otherLangHref: otherLang(req, lang),
        refreshSeconds: pending || req.query.sent ? 3 : REFRESH_SECONDS,
      },
      html`<p><a href="/app">${t(lang, 'back')}</a></p>
        ${req.query.sent ? html`<div class="flash" role="status">${t(lang, 'sent')}</div>` : ''} ${problem ?? ''}
        <div data-live>
          <dl>
            <dt>${t(lang, 'status')}</dt>
            <dd>
              <span title="${invoice.chorus.status ?? invoice.state}">${stage}</span>
              (Chorus Pro :
              ${invoice.chorus.statusLabel ? html`${invoice.chorus.statusLabel}, ` : ''}<code>${invoice.chorus.status ?? invoice.state}</code>)
            </dd>
            <dt>${t(lang, 'amountWithVat')}</dt>
            <dd>${money(invoice.amountWithVat, lang)}</dd>
            <dt>${t(lang, 'purchaseOrder')}</dt>
            <dd>${invoice.engagementNumber ?? ''}</dd>
            <dt>${t(lang, 'recipient')}</dt>
            <dd>${invoice.recipientSiret} ${invoice.serviceCode ?? ''}</dd>
            ${
              invoice.correctedByInvoiceId
                ? html`<dt>${t(lang, 'correctedBy')}</dt>
                    <dd>
                      <a href="/app/invoices/${invoice.correctedByInvoiceId}">${invoice.correctedByInvoiceId}</a>
                    </dd>`
                : ''
            }
          </dl>
          ${
            invoice.actionRequired
              ? html`<section class="needs" aria-labelledby="action-title">
                  <h2 id="action-title">${t(lang, 'needsAction')}</h2>
                  <p><strong>${t(lang, 'reason')}</strong> : ${reasonOf(invoice)}</p>
                  <p><strong>${t(lang, 'nextStep')}</strong> : ${invoice.actionRequired.nextStep[lang]}</p>
                </section>`
              : ''
          }
          ${forms}
          <p>
            <a href="/admin/queues/queue/deposit?search=${encodeURIComponent(invoice.number)}">${t(lang, 'jobs')}</a>
          </p>
          <h2>${t(lang, 'timeline')}</h2>
          <table>
            ${headerRow(lang, ['when', 'what'])}
            <tbody>
              ${(invoice.events ?? []).map(
                (e) =>
                  html`<tr>
                    <td>${when(e.at, lang)}</td>
                    <td><code>${e.type}</code> ${e.message}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`,
    );
  }

  /** A fix: the form's fields as the API's JSON body, then back to the invoice (or its page with the API's error). */
  const fix = (
    kind: 'retry' | 'recycle' | 'complete' | 'correct-validator',
    toBody: (form: Record<string, string>, req: Request) => unknown,
  ) =>
    signedIn(async (req, res, { session, api, lang }) => {
      const id = encodeURIComponent(String(req.params.id));
      const form = formSchema.safeParse(req.body).data ?? {};
      const answer = await api.post<ApiError>(`/invoices/${id}/${kind}`, toBody(form, req));
      if (answer.status < 300) {
        res.redirect(303, `/app/invoices/${id}?sent=${kind}`);
        return;
      }
      const found = await api.get<InvoiceView & ApiError>(`/invoices/${id}`);
      if (found.status !== 200) {
        res
          .status(answer.status)
          .type('text')
          .send(answer.body.error?.message ?? `HTTP ${answer.status}`);
        return;
      }
      res
        .status(answer.status)
        .type('html')
        .send(invoicePage(req, lang, session, found.body, errorBox(answer.body, answer.status)));
    });
  const optional = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);
  router.post(
    '/invoices/:id/retry',
    fix('retry', () => ({})),
  );
  router.post(
    '/invoices/:id/recycle',
    fix('recycle', (form) => ({
      recipientSiret: optional(form.recipientSiret),
      serviceCode: optional(form.serviceCode),
      engagementNumber: optional(form.engagementNumber),
      comment: optional(form.comment),
    })),
  );
  router.post(
    '/invoices/:id/correct-validator',
    fix('correct-validator', (form) => ({ validatorSiret: form.validatorSiret ?? '' })),
  );
  /**
   * A file comes as multipart, read here, at the edge, by the intake's own reader (multer): the form's fields, and
   * for the file field `name`, `nameBase64`, `nameName` and `nameType`, as the API's JSON bodies take a file.
   */
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 30, fieldSize: 16 * 1024, parts: 40 },
    defParamCharset: 'utf8',
  }).any();
  const multipartForm: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    upload(req, res, (error: unknown) => {
      if (error !== undefined && error !== null) return next(error);
      const fields = formSchema.safeParse(req.body).data ?? {};
      for (const file of (req.files ?? []) as Express.Multer.File[]) {
        if (file.size === 0) continue;
        fields[`${file.fieldname}Base64`] = file.buffer.toString('base64');
        fields[`${file.fieldname}Name`] = file.originalname;
        fields[`${file.fieldname}Type`] = file.mimetype;
      }
      req.body = fields;
      next();
    });
  };
  router.post(
    '/invoices/:id/complete',
    multipartForm,
    fix('complete', (form) => ({
      comment: form.comment ?? '',
      ...(form.attachmentBase64
        ? {
            attachment: {
              name: form.attachmentName || 'piece-jointe.pdf',
              mimeType: form.attachmentType || 'application/pdf',
              contentBase64: form.attachmentBase64,
            },
          }
        : {}),
    })),
  );

  // A corrected invoice is a new invoice (POST /v1/invoices) linked to this one: what the form does not ask is taken
  // from this invoice as the API shows it.
  router.post(
    '/invoices/:id/correct',
    multipartForm,
    signedIn(async (req, res, { session, api, lang }) => {
      const id = encodeURIComponent(String(req.params.id));
      const form = formSchema.safeParse(req.body).data ?? {};
      const found = await api.get<InvoiceView & ApiError>(`/invoices/${id}`);
      if (found.status !== 200) {
        res
          .status(found.status)
          .type('text')
          .send(found.body.error?.message ?? `HTTP ${found.status}`);
        return;
      }
      const answer = await api.post<{ id?: string } & ApiError>('/invoices', correctedInvoiceBody(found.body, form));
      if (answer.status < 300 && answer.body.id) {
        res.redirect(303, `/app/invoices/${encodeURIComponent(answer.body.id)}?sent=correct`);
        return;
      }
      res
        .status(answer.status)
        .type('html')
        .send(invoicePage(req, lang, session, found.body, errorBox(answer.body, answer.status)));
    }),
  );

  router.get(
    '/validations',
    signedIn(async (req, res, { session, api, lang }) => {
      const listed = await api.get<{ data: ValidationView[] } & ApiError>('/validations?pending=true&limit=200');
      const csrf = html`<input type="hidden" name="csrf" value="${session.csrfToken}" />`;
      const rows = listed.status === 200 ? listed.body.data : [];
      const daysLeft = (deadline: string) =>
        Math.max(0, Math.ceil((new Date(deadline).getTime() - now()) / 86_400_000));
      res.type('html').send(
        page(
          {
            lang,
            title: t(lang, 'validations'),
            csrfToken: session.csrfToken,
            refreshSeconds: REFRESH_SECONDS,
            otherLangHref: otherLang(req, lang),
          },
          html`${req.query.sent ? html`<div class="flash" role="status">${t(lang, 'sent')}</div>` : ''}
          ${listed.status === 200 ? '' : errorBox(listed.body, listed.status)}
          ${
            rows.length === 0
              ? html`<p>${t(lang, 'noValidation')}</p>`
              : html`<table>
                  ${headerRow(lang, ['number', 'supplier', 'amountWithVat', 'daysLeft', 'decision'])}
                  <tbody>
                    ${rows.map(
                      (v) =>
                        html`<tr>
                          <td>${v.invoice.number}</td>
                          <td>${v.invoice.supplierName ?? ''} ${v.invoice.supplierSiret ?? ''}</td>
                          <td>${money(v.invoice.amountWithVat, lang)}</td>
                          <td>${daysLeft(v.deadline)}</td>
                          <td>
                            <form class="inline" method="post" action="/app/validations/${v.id}/approve">
                              ${csrf}<button type="submit">${t(lang, 'approve')} ${v.invoice.number}</button>
                            </form>
                            <form class="inline" method="post" action="/app/validations/${v.id}/refuse">
                              ${csrf}<label for="reason-${v.id}">${t(lang, 'refuseReason')}</label
                              ><input id="reason-${v.id}" name="reason" required /><button type="submit">
                                ${t(lang, 'refuse')} ${v.invoice.number}
                              </button>
                            </form>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }`,
        ),
      );
    }),
  );

  for (const action of ['approve', 'refuse'] as const)
    router.post(
      `/validations/:id/${action}`,
      signedIn(async (req, res, { session, api, lang }) => {
        const form = formSchema.safeParse(req.body).data ?? {};
        const body = action === 'refuse' ? { reason: form.reason ?? '' } : {};
        const answer = await api.post<ApiError>(
          `/validations/${encodeURIComponent(String(req.params.id))}/${action}`,
          body,
        );
        if (answer.status < 300) return res.redirect(303, `/app/validations?sent=${action}`);
        res
          .status(answer.status)
          .type('html')
          .send(
            page(
              {
                lang,
                title: t(lang, 'validations'),
                csrfToken: session.csrfToken,
                otherLangHref: otherLang(req, lang),
              },
              html`${errorBox(answer.body, answer.status)}
                <p><a href="/app/validations">${t(lang, 'validations')}</a></p>`,
            ),
          );
      }),
    );

  router.get(
    '/suppliers',
    signedIn((req, res, page) => sendSuppliers(req, res, page, 200)),
  );

  /** The accounts as the API lists them, with the refusal of a form when there is one. */
  async function sendSuppliers(
    req: Request,
    res: Response,
    { session, api, lang }: { session: Session; api: Api; lang: Lang },
    status: number,
    refusal?: Html,
  ): Promise<void> {
    const listed = await api.get<{ data: SupplierView[] } & ApiError>('/suppliers');
    const accounts = listed.status === 200 ? listed.body.data : [];
    const problem = refusal ?? (listed.status === 200 ? undefined : errorBox(listed.body, listed.status));
    res
      .status(status)
      .type('html')
      .send(suppliersPage(req, lang, session, accounts, problem));
  }

  function suppliersPage(
    req: Request,
    lang: Lang,
    session: Session,
    suppliers: SupplierView[],
    problem?: Html,
  ): string {
    return page(
      { lang, title: t(lang, 'suppliers'), csrfToken: session.csrfToken, otherLangHref: otherLang(req, lang) },
      html`${req.query.sent ? html`<div class="flash" role="status">${t(lang, 'sent')}</div>` : ''}${problem ?? ''}
        <table>
          ${headerRow(lang, ['siret', 'login', 'environment', 'status', 'lastSync'])}
          <tbody>
            ${suppliers.map(
              (s) =>
                html`<tr>
                  <td>${s.siret}</td>
                  <td>${s.chorusLogin}</td>
                  <td>${s.environment}</td>
                  <td>
                    ${s.paused ? html`<strong>${t(lang, 'paused')}</strong> : ${s.pausedReason ?? ''}` : t(lang, 'active')}${s.syncFailingSince ? html`<br />${t(lang, 'syncFailing')} : ${s.syncError ?? ''}` : ''}
                  </td>
                  <td>${when(s.lastSyncAt, lang)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <fieldset>
          <legend>${t(lang, 'register')}</legend>
          <form method="post" action="/app/suppliers">
            <input type="hidden" name="csrf" value="${session.csrfToken}" /> <label for="s-siret">SIRET</label
            ><input id="s-siret" name="siret" inputmode="numeric" required />
            <label for="s-login">${t(lang, 'login')}</label><input id="s-login" name="chorusLogin" required />
            <label for="s-password">${t(lang, 'password')}</label
            ><input id="s-password" name="chorusPassword" type="password" autocomplete="new-password" required />
            <label for="s-env">${t(lang, 'environment')}</label
            ><select id="s-env" name="environment">
              <option value="production">production</option>
              <option value="sandbox">sandbox</option>
            </select>
            <p><button type="submit">${t(lang, 'send')}</button></p>
          </form>
        </fieldset>`,
    );
  }

  router.post(
    '/suppliers',
    signedIn(async (req, res, { session, api, lang }) => {
      const form = formSchema.safeParse(req.body).data ?? {};
      const answer = await api.post<ApiError>('/suppliers', {
        siret: form.siret ?? '',
        chorusLogin: form.chorusLogin ?? '',
        chorusPassword: form.chorusPassword ?? '',
        environment: form.environment ?? 'production',
      });
      if (answer.status < 300) return res.redirect(303, '/app/suppliers?sent=1');
      return sendSuppliers(req, res, { session, api, lang }, answer.status, errorBox(answer.body, answer.status));
    }),
  );

  return router;

  function invoiceTable(lang: Lang, invoices: InvoiceView[]): Html {
    if (invoices.length === 0) return html`<p>${t(lang, 'none')}</p>`;
    return html`<table>
      <caption class="visually-hidden">
        ${t(lang, 'invoices')}
      </caption>
      ${headerRow(lang, ['number', 'purchaseOrder', 'amountWithVat', 'lastUpdate', 'status', 'needsAction'])}
      <tbody>
        ${invoices.map(
          (
            i,
          ) => html`<tr${i.actionRequired ? html` class="needs"` : ''}><td><a href="/app/invoices/${i.id}">${i.number}</a></td><td>${i.engagementNumber ?? ''}</td><td>${money(i.amountWithVat, lang)}</td><td>${when(i.updatedAt, lang)}</td>
<td><span title="${i.chorus.status ? `${i.chorus.statusLabel ?? ''} (${i.chorus.status})` : i.state}">${i.chorus.stage ? STAGE_WORDS[i.chorus.stage]![lang] : i.state}</span></td>
<td>${i.actionRequired ? html`${i.lastError ? html`${i.lastError.message}<br />` : ''}<em>${i.actionRequired.nextStep[lang]}</em>` : ''}</td></tr>`,
        )}
      </tbody>
    </table>`;
  }
}

/** A table's header row, one column per word. */
const headerRow = (lang: Lang, words: readonly Word[]): Html =>
  html`<thead>
    <tr>
      ${words.map((word) => html`<th scope="col">${t(lang, word)}</th>`)}
    </tr>
  </thead>`;

/** Why the invoice needs action, in Chorus Pro's words when it gave some (the comment of its last status). */
/** The fields of an invoice the corrected one keeps, as POST /v1/invoices takes them. */
const KEPT_FIELDS = [
  'supplierSiret',
  'recipientSiret',
  'serviceCode',
  'engagementNumber',
  'marketNumber',
  'validatorSiret',
  'type',
  'billingFrame',
  'currency',
  'depositMode',
  'syntaxeFlux',
  'lines',
  'previousInvoiceId',
  'worksAmounts',
] as const;

/**
 * The request of a corrected invoice: the form's number, date, amounts, file and comment, the rest as `original`
 * has it. A single VAT line follows the amounts given; several are kept as they are (the API says if they no longer
 * add up).
 */
function correctedInvoiceBody(original: InvoiceView, form: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of KEPT_FIELDS) if (original[field] !== null) body[field] = original[field];
  const trimmed = (name: string) => (form[name] ?? '').trim();
  Object.assign(body, {
    number: trimmed('number'),
    issueDate: trimmed('issueDate'),
    amountWithoutVat: trimmed('amountWithoutVat'),
    vatAmount: trimmed('vatAmount'),
    amountWithVat: trimmed('amountWithVat'),
    correctsInvoiceId: original.id,
  });
  const breakdown = original.vatBreakdown;
  if (breakdown?.length === 1)
    body.vatBreakdown = [{ rate: breakdown[0]!.rate, base: body.amountWithoutVat, vat: body.vatAmount }];
  else if (breakdown) body.vatBreakdown = breakdown;
  const comment = trimmed('comment') || original.comment;
  if (comment && original.depositMode !== 'flux') body.comment = comment;
  if (form.fileBase64) body.file = { name: form.fileName ?? '', contentBase64: form.fileBase64 };
  return body;
}

function reasonOf(invoice: InvoiceView): string {
  const lastStatus = [...(invoice.events ?? [])].reverse().find((e) => e.type === 'status-changed');
  const comment = lastStatus?.details?.comment;
  if (typeof comment === 'string' && comment !== '') return comment;
  return invoice.lastError?.message ?? invoice.actionRequired?.reason ?? '';
}
