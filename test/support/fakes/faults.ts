import { IncomingMessage, ServerResponse, request } from 'node:http';
import { LocalServer, startLocalServer } from './http';

/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of one of the fakes: real SDK clients point their
 * `AWS_ENDPOINT_URL_<SERVICE>` at it, and each request passes through unchanged unless a fault is planned for its
 * operation (the `Action` of a query-protocol request, the `X-Amz-Target` operation of a JSON one).
 */
export type Fault =
  /** Accept the request and never answer; the upstream never sees it. */
  | { readonly kind: 'hang' }
  /** Forward the request, let the upstream apply it, then drop the connection without answering. */
  | { readonly kind: 'drop-after-apply' }
  /** Forward the request, let the upstream apply it, then never answer. */
  | { readonly kind: 'hang-after-apply' }
  /** Answer with an AWS error of this status and code, without forwarding (5xx, throttling). */
  | { readonly kind: 'error'; readonly status: number; readonly code: string };

interface Planned {
  readonly operation: string;
  readonly fault: Fault;
  remaining: number;
  skip: number;
}

interface Held {
  readonly operation: string;
  readonly count: number;
  readonly waiting: (() => void)[];
}

export class FaultProxy {
  /** Operations in the order they arrived, with the fault each met (`pass` when none). */
  readonly seen: { readonly operation: string; readonly fault: Fault['kind'] | 'pass' }[] = [];
  private plans: Planned[] = [];
  private holds: Held[] = [];
  private server?: LocalServer;
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = await startLocalServer((req, body, res) => this.handle(req, body, res));
    return this.server.url;
  }

  async stop(): Promise<void> {
    this.hanging.forEach((res) => res.destroy());
    await this.server?.close();
  }

  /** `times` requests of `operation` meet `fault`, after `skip` of them pass. */
  inject(operation: string, fault: Fault, times = 1, skip = 0): void {
    this.plans.push({ operation, fault, remaining: times, skip });
  }

  /** `http://127.0.0.1:<port>`, once started. */
  get url(): string {
    if (!this.server) throw new Error('the fault proxy is not started');
    return this.server.url;
  }

  /**
   * Holds requests of `operation` until `count` of them have arrived, then lets them all through together: two
   * clients that race are made to read the same state before either writes.
   */
  barrier(operation: string, count: number): void {
    this.holds.push({ operation, count, waiting: [] });
  }

  reset(): void {
    this.plans = [];
    this.holds = [];
    this.seen.length = 0;
  }

  count(operation: string, fault: Fault['kind'] | 'pass' = 'pass'): number {
    return this.seen.filter((s) => s.operation === operation && s.fault === fault).length;
  }

  private async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const operation = operationOf(req, body);
    const hold = this.holds.find((h) => h.operation === operation && h.waiting.length < h.count);
    if (hold) {
      await new Promise<void>((resolve) => {
        hold.waiting.push(resolve);
        if (hold.waiting.length === hold.count) {
          this.holds = this.holds.filter((h) => h !== hold);
          hold.waiting.forEach((release) => release());
        }
      });
    }
    const plan = this.plans.find((p) => p.operation === operation && p.remaining > 0 && p.skip-- <= 0);
    if (plan) plan.remaining--;
    const fault = plan?.fault;
    this.seen.push({ operation, fault: fault?.kind ?? 'pass' });
    if (fault?.kind === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (fault?.kind === 'error') {
      const json = isJson(req);
      res.writeHead(fault.status, {
        'content-type': json ? 'application/x-amz-json-1.1' : 'text/xml',
        ...(json ? { 'x-amzn-errortype': fault.code } : {}),
      });
      res.end(
        json
          ? JSON.stringify({ __type: fault.code, message: `injected ${fault.code}` })
          : `<Response><Errors><Error><Code>${fault.code}</Code><Message>injected ${fault.code}</Message></Error></Errors><RequestID>fault</RequestID></Response>`,
      );
      return;
    }
    const answer = await this.forward(req, body);
    if (fault?.kind === 'drop-after-apply') {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'hang-after-apply') {
      this.hanging.add(res);
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(
    req: IncomingMessage,
    body: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream);
    return new Promise((resolve, reject) => {
      const out = request(target, { method: req.method, headers: req.headers }, (upstream) => {
        const chunks: Buffer[] = [];
        upstream.on('data', (c: Buffer) => chunks.push(c));
        upstream.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(upstream.headers)) {
            if (typeof v === 'string' && k !== 'content-length' && k !== 'transfer-encoding') headers[k] = v;
          }
          resolve({ status: upstream.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
      });
      out.on('error', reject);
      out.end(body);
    });
  }
}

function isJson(req: IncomingMessage): boolean {
  return typeof req.headers['x-amz-target'] === 'string';
}

function operationOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return new URLSearchParams(body).get('Action') ?? '';
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const proxy = new FaultProxy(upstream);
  await proxy.start();
  return proxy;
}
