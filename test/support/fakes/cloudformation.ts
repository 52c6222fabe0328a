import { LocalServer, startLocalServer } from './http';

/**
 * A CloudFormation endpoint that answers `DescribeStacks` in the service's query protocol (form-encoded request,
 * XML answer), for real SDK clients pointed at it with `AWS_ENDPOINT_URL_CLOUDFORMATION`.
 */
export class FakeCloudFormation {
  readonly requests: URLSearchParams[] = [];
  private readonly stacks = new Map<string, Record<string, string>>();
  private server?: LocalServer;

  async start(): Promise<string> {
    this.server = await startLocalServer((_req, body, res) => {
      const params = new URLSearchParams(body);
      this.requests.push(params);
      const name = params.get('StackName') ?? '';
      const outputs = this.stacks.get(name);
      if (params.get('Action') !== 'DescribeStacks' || outputs === undefined) {
        const message =
          outputs === undefined ? `Stack with id ${name} does not exist` : `Unsupported ${params.get('Action')}`;
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
        );
        return;
      }
      const members = Object.entries(outputs)
        .map(
          ([k, v]) =>
            `<member><OutputKey>${escapeXml(k)}</OutputKey><OutputValue>${escapeXml(v)}</OutputValue></member>`,
        )
        .join('');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${escapeXml(name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${escapeXml(name)}/fake</StackId><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-25T10:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  setStack(name: string, outputs: Record<string, string>): void {
    this.stacks.set(name, outputs);
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
