// Drives Switchboard's OpenAI-compatible door with the official OpenAI client, unchanged, and
// prints what it saw as one JSON object. SWITCHBOARD_URL is the gateway, SWITCHBOARD_KEY a tenant key.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.SWITCHBOARD_URL}/v1`, apiKey: process.env.SWITCHBOARD_KEY, maxRetries: 0 });
const seen = {};

const models = await client.models.list();
seen.models = models.data.map((model) => ({ id: model.id, owned_by: model.owned_by }));

const plain = await client.chat.completions.create({
  model: 'assistant',
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'My name is Ada.' },
    { role: 'assistant', content: 'Hello Ada.' },
    { role: 'user', content: 'What is my name?' },
  ],
}).withResponse();
seen.plain = {
  object: plain.data.object,
  content: plain.data.choices[0].message.content,
  finish_reason: plain.data.choices[0].finish_reason,
  usage: plain.data.usage,
  runId: plain.response.headers.get('x-switchboard-run-id'),
};

const stream = await client.chat.completions.create({
  model: 'assistant',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about the brokers.' }] }],
  stream: true,
  stream_options: { include_usage: true },
});
seen.stream = { text: '', chunks: 0, finish_reason: null, usage: null };
for await (const chunk of stream) {
  seen.stream.chunks += 1;
  const choice = chunk.choices[0];
  if (choice?.delta?.content) seen.stream.text += choice.delta.content;
  if (choice?.finish_reason) seen.stream.finish_reason = choice.finish_reason;
  if (chunk.usage) seen.stream.usage = chunk.usage;
}

async function refusal(request) {
  try {
    await client.chat.completions.create(request);
    return { status: 'accepted' };
  } catch (error) {
    return { status: error.status, type: error.type, code: error.code, param: error.param, message: error.message };
  }
}

seen.tools = await refusal({
  model: 'assistant',
  messages: [{ role: 'user', content: 'Run my tool.' }],
  tools: [{ type: 'function', function: { name: 'my_tool', parameters: { type: 'object', properties: {} } } }],
});
seen.unknown = await refusal({ model: 'no-such-agent', messages: [{ role: 'user', content: 'Hello?' }] });
seen.notChat = await refusal({ model: 'calculator', messages: [{ role: 'user', content: '2+2' }] });
try {
  await new OpenAI({ baseURL: `${process.env.SWITCHBOARD_URL}/v1`, apiKey: 'not-a-key', maxRetries: 0 }).models.list();
  seen.badKey = { status: 'accepted' };
} catch (error) {
  seen.badKey = { status: error.status, type: error.type, code: error.code };
}

console.log(JSON.stringify(seen));
