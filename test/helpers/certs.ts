/**
 * Certificates made at test time by the `openssl` CLI, in a temporary directory: a root CA, an
 * intermediate under it, and leaves with chosen names and validity. Nothing is committed; `remove()`
 * deletes the directory. EC P-256 keys keep generation fast.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A key and certificate in PEM, ready for `https.createServer({ key, cert })`. */
export interface KeyPair {
  key: string;
  cert: string;
}

export interface LeafOptions {
  /** subjectAltName entries; default `DNS:localhost` and `IP:127.0.0.1`. */
  names?: string[];
  /** The signer; default the root. */
  issuer?: 'root' | 'intermediate';
  /** Validity; default from an hour ago for `days` (default 365) days. */
  notBefore?: Date;
  notAfter?: Date;
  days?: number;
}

export interface TestPki {
  /** The root CA certificate (PEM): what a test trusts. */
  root: string;
  /** The intermediate CA certificate (PEM), signed by the root. */
  intermediate: string;
  /** A leaf for `CN=localhost` signed by the root or the intermediate. */
  leaf(options?: LeafOptions): Promise<KeyPair>;
  /** A self-signed leaf for `CN=localhost` with the default names. */
  selfSigned(): Promise<KeyPair>;
  /** Deletes every key and certificate. */
  remove(): Promise<void>;
}

const DEFAULT_NAMES = ['DNS:localhost', 'IP:127.0.0.1'];
const HOUR_MS = 3_600_000;

/** `openssl ca` wants its dates as YYYYMMDDHHMMSSZ. */
function asn1Time(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}

/** The minimal `openssl ca` configuration: a database in `dir`, any subject accepted, extensions from -extfile. */
function caConfig(dir: string): string {
  return [
    '[ca]',
    'default_ca = test_ca',
    '[test_ca]',
    `database = ${join(dir, 'index.txt')}`,
    `new_certs_dir = ${dir}`,
    `serial = ${join(dir, 'serial')}`,
    'default_md = sha256',
    'policy = any_subject',
    'unique_subject = no',
    'email_in_dn = no',
    '[any_subject]',
    'commonName = supplied',
    '',
  ].join('\n');
}

/** The X.509v3 extensions of each kind of certificate the CA signs. */
const EXTENSIONS = {
  intermediate: ['basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign, cRLSign'],
  leaf: [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
  ],
};

/** Makes a root and an intermediate CA in a new temporary directory. */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-pki-'));
  const config = join(dir, 'ca.cnf');
  await writeFile(config, caConfig(dir));
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  let count = 0;
  const file = (name: string) => join(dir, name);

  /** `openssl req` arguments for a new P-256 key without a passphrase, for `cn`, kept as `<name>.key`. */
  const newKey = (name: string, cn: string) => [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    file(`${name}.key`),
  ];

  /** A new key and a certificate request for `cn`; returns the key path and request path. */
  const request = async (cn: string) => {
    const name = `k${++count}`;
    await run('openssl', ['req', '-new', ...newKey(name, cn), '-out', file(`${name}.csr`)]);
    return name;
  };

  /** Signs request `name` with the CA `signer` (file stem), adding the extensions of `kind` plus `extra` lines. */
  const sign = async (
    name: string,
    signer: string,
    kind: keyof typeof EXTENSIONS,
    validity: string[],
    extra: string[] = [],
  ) => {
    const ext = file(`${name}.ext`);
    await writeFile(ext, ['[ext]', ...EXTENSIONS[kind], ...extra, ''].join('\n'));
    await run('openssl', [
      'ca',
      '-batch',
      '-notext',
      '-config',
      config,
      '-cert',
      file(`${signer}.pem`),
      '-keyfile',
      file(`${signer}.key`),
      '-in',
      file(`${name}.csr`),
      '-out',
      file(`${name}.pem`),
      '-extfile',
      ext,
      '-extensions',
      'ext',
      ...validity,
    ]);
    return readFile(file(`${name}.pem`), 'utf8');
  };

  const selfSign = async (cn: string, extensions: string[]) => {
    const name = `k${++count}`;
    await run('openssl', [
      'req',
      '-x509',
      ...newKey(name, cn),
      '-days',
      '30',
      '-out',
      file(`${name}.pem`),
      ...extensions.flatMap((e) => ['-addext', e]),
    ]);
    return name;
  };

  const rootName = await selfSign('Doctor Test Root CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const intermediateName = await request('Doctor Test Intermediate CA');
  await sign(intermediateName, rootName, 'intermediate', ['-days', '30']);

  const pem = (name: string) => readFile(file(`${name}.pem`), 'utf8');
  const key = (name: string) => readFile(file(`${name}.key`), 'utf8');

  return {
    root: await pem(rootName),
    intermediate: await pem(intermediateName),
    async leaf(options = {}) {
      const name = await request('localhost');
      const notBefore = options.notBefore ?? new Date(Date.now() - HOUR_MS);
      const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.days ?? 365) * 24 * HOUR_MS);
      const signer = options.issuer === 'intermediate' ? intermediateName : rootName;
      const names = options.names ?? DEFAULT_NAMES;
      const cert = await sign(
        name,
        signer,
        'leaf',
        ['-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)],
        [`subjectAltName = ${names.join(', ')}`],
      );
      return { key: await key(name), cert };
    },
    async selfSigned() {
      const name = await selfSign('localhost', [`subjectAltName=${DEFAULT_NAMES.join(',')}`]);
      return { key: await key(name), cert: await pem(name) };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
