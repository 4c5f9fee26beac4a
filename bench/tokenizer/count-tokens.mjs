// Counts real tokens for each prompt of a labels file with OpenAI's o200k_base and cl100k_base
// encodings (the gpt-tokenizer npm package), writing JSON Lines {prompt, o200k, cl100k} for
// bench/token_estimate_accuracy. Run by bench/token-accuracy.sh, which installs the package.
import { readFileSync } from 'node:fs';
import { encode as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { encode as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';

const [labels] = process.argv.slice(2);
for (const line of readFileSync(labels, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const { prompt } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ prompt, o200k: o200k(prompt).length, cl100k: cl100k(prompt).length }) + '\n');
}
