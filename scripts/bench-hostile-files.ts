/**
 * `npm run bench:hostile-files -- <baseUrl> <pid> <apiKey>`: sends each heavy hostile file to a running web
 * process, as JSON (base64) and as multipart, and prints for each the slowest /healthz answer meanwhile, the
 * process's resident memory before and at its peak (from /proc/<pid>), the time to the answer and the answer.
 * The demo supplier 73282932000074 must be registered. Then (file numbers 5 and 6) a batch of 8 ZIP entries that
 * each hide 1 GiB behind 20 KB declared, and a flood of 3 000 slow connections (half a request each). Used for the
 * before/after figures of issues 11 and 23.
 */
import { connect } from 'node:net';
import {
  deflatedZeros,
  lyingBatch,
  pdfEmbedding,
  pdfOfEmptyStreams,
  ublNested,
  ublWithSiblings,
} from './lib/hostile-files.js';
import { measureWhile } from './lib/responsiveness.js';

const [baseUrl = 'http://127.0.0.1:3000', pid = '', apiKey = process.env.API_KEYS?.split(',')[0] ?? '', only = ''] =
  process.argv.slice(2);
if (!pid)
  throw new Error(
    'Usage: npm run bench:hostile-files -- <baseUrl> <pid of the web process> [apiKey] [file number, 1 to 4]',
  );

const fields = {
  supplierSiret: '73282932000074',
  recipientSiret: '11000201100044',
  serviceCode: 'SERVICE-BTP',
  number: `HOSTILE-${Date.now().toString(36)}`,
  issueDate: '2026-11-20',
  type: 'FACTURE',
  billingFrame: 'A1',
  currency: 'EUR',
  amountWithoutVat: '1000.00',
  vatAmount: '200.00',
  amountWithVat: '1200.00',
};
type HostileFile = [label: string, syntaxeFlux: string, name: string, make: () => Promise<Buffer>];
const all: HostileFile[] = [
  [
    '1 MB Factur-X inflating to 1 GiB',
    'IN_DP_E2_CII_FACTURX',
    'f.pdf',
    async () => pdfEmbedding(await deflatedZeros(1 << 30)),
  ],
  [
    '10 MB PDF of 160 000 empty Flate streams',
    'IN_DP_E2_CII_FACTURX',
    'f.pdf',
    () => Promise.resolve(pdfOfEmptyStreams(160_000)),
  ],
  [
    '8 MB UBL of a million sibling elements',
    'IN_DP_E1_UBL_INVOICE',
    'f.xml',
    () => Promise.resolve(ublWithSiblings(1_000_000)),
  ],
  ['UBL nested 100 000 deep', 'IN_DP_E1_UBL_INVOICE', 'f.xml', () => Promise.resolve(ublNested(100_000))],
];
const files = all.filter((_, i) => only === '' || String(i + 1) === only);
const wants = (n: number) => only === '' || only === String(n);

const headers = { authorization: `Bearer ${apiKey}` };
// Warm-up, unmeasured: the first JSON and the first multipart request of a process compile their code paths
// (and start the file checker's thread); a small broken file goes through both.
for (let i = 0; i < 3; i++) {
  const small = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n');
  await fetch(`${baseUrl}/v1/invoices`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      ...fields,
      syntaxeFlux: 'IN_DP_E2_CII_FACTURX',
      file: { name: 'w.pdf', contentBase64: small.toString('base64') },
    }),
  }).then((r) => r.arrayBuffer());
  const data = new FormData();
  for (const [key, value] of Object.entries({ ...fields, syntaxeFlux: 'IN_DP_E2_CII_FACTURX' }))
    data.append(key, value);
  data.append('file', new Blob([small]), 'w.pdf');
  await fetch(`${baseUrl}/v1/invoices`, { method: 'POST', headers, body: data }).then((r) => r.arrayBuffer());
}
for (const [label, syntaxeFlux, name, make] of files) {
  const content = await make();
  const json = JSON.stringify({ ...fields, syntaxeFlux, file: { name, contentBase64: content.toString('base64') } });
  const multipart = () => {
    const data = new FormData();
    for (const [key, value] of Object.entries({ ...fields, syntaxeFlux })) data.append(key, value);
    data.append('file', new Blob([content]), name);
    return data;
  };
  for (const [encoding, send] of [
    [
      'json',
      () =>
        fetch(`${baseUrl}/v1/invoices`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: json,
          signal: AbortSignal.timeout(600_000),
        }),
    ],
    [
      'multipart',
      () =>
        fetch(`${baseUrl}/v1/invoices`, {
          method: 'POST',
          headers,
          body: multipart(),
          signal: AbortSignal.timeout(600_000),
        }),
    ],
  ] as const) {
    const { result, measured } = await measureWhile(baseUrl, Number(pid), async () => {
      const res = await send().catch((error: unknown) => ({ status: 0, text: () => Promise.resolve(String(error)) }));
      return { status: res.status, text: (await res.text()).slice(0, 160) };
    });
    console.log(
      JSON.stringify({
        file: label,
        encoding,
        bytes: content.length,
        status: result.status,
        answer: result.text,
        maxHealthzMs: Math.round(measured.maxHealthzMs),
        requestMs: Math.round(measured.requestMs),
        idleRssMb: Math.round(measured.idleRssMb),
        peakRssMb: Math.round(measured.peakRssMb),
      }),
    );
  }
}

if (wants(5)) {
  const zip = await lyingBatch(8);
  const { result, measured } = await measureWhile(baseUrl, Number(pid), async () => {
    const res = await fetch(`${baseUrl}/v1/batches`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/zip' },
      body: zip,
      signal: AbortSignal.timeout(600_000),
    });
    return { status: res.status, text: (await res.text()).slice(0, 160) };
  });
  console.log(
    JSON.stringify({
      file: 'batch of 8 ZIP entries each hiding 1 GiB behind 20 KB',
      bytes: zip.length,
      ...result,
      ...measured,
    }),
  );
}

if (wants(6)) {
  const { port, hostname } = new URL(baseUrl);
  const sockets: Array<ReturnType<typeof connect>> = [];
  const { measured } = await measureWhile(baseUrl, Number(pid), async () => {
    for (let i = 0; i < 3_000; i++) {
      const socket = connect(Number(port), hostname, () => socket.write('GET /healthz HTTP/1.1\r\nHost: flood\r\n'));
      socket.on('error', () => undefined);
      sockets.push(socket);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  });
  console.log(
    JSON.stringify({
      file: 'flood of 3 000 slow connections',
      stillOpen: sockets.filter((s) => !s.destroyed).length,
      ...measured,
    }),
  );
  for (const socket of sockets) socket.destroy();
}
