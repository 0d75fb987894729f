import type http from 'node:http';

/** One signed SNS envelope (a JSON line) as SNS posts it over HTTP, with the headers it sends with every delivery. */
export function snsRequest(line: string): { body: Buffer; headers: http.OutgoingHttpHeaders } {
  const envelope = JSON.parse(line) as { Type: string; MessageId: string; TopicArn: string };
  const body = Buffer.from(line);
  return {
    body,
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'content-length': body.length,
      'x-amz-sns-message-type': envelope.Type,
      'x-amz-sns-message-id': envelope.MessageId,
      'x-amz-sns-topic-arn': envelope.TopicArn,
      'user-agent': 'Amazon Simple Notification Service Agent',
    },
  };
}
