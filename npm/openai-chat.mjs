// One chat completion through Switchboard's OpenAI-compatible door with the official OpenAI client:
// SWITCHBOARD_AGENT is the model, SWITCHBOARD_MESSAGE the user's message; prints the completion as JSON.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: `${process.env.SWITCHBOARD_URL}/v1`, apiKey: process.env.SWITCHBOARD_KEY, maxRetries: 0 });
const completion = await client.chat.completions.create({
  model: process.env.SWITCHBOARD_AGENT,
  messages: [{ role: 'user', content: process.env.SWITCHBOARD_MESSAGE }],
});
console.log(JSON.stringify(completion));
