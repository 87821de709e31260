/**
 * A Qwen2-style byte-level BPE tokenizer: the same pre-tokenizer regex, byte alphabet, special
 * tokens (at the same offsets after the regular vocabulary as in Qwen2.5/Qwen3) and chat template as
 * the real models, with merges trained here on a small word list so that words such as " Wait" and
 * " verify" are single tokens. Any UTF-8 text round-trips through the byte alphabet.
 */
import { QWEN25_VL_CHAT_TEMPLATE } from './chat-template';

/** Qwen2's pre-tokenizer split pattern, verbatim. */
const QWEN_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** The text between <tool_call> and </tool_call> of VisionThink's canonical resize_image call. */
export const RESIZE_CALL_BODY = '\n{"name": "resize_image", "arguments": {"action": "resize"}}\n';

/** Added tokens in Qwen's order; `special` as in Qwen2.5-VL's tokenizer_config (tool and think tokens are not special). */
export const ADDED_TOKENS: readonly { content: string; special: boolean }[] = [
  ['<|endoftext|>', true],
  ['<|im_start|>', true],
  ['<|im_end|>', true],
  ['<|object_ref_start|>', true],
  ['<|object_ref_end|>', true],
  ['<|box_start|>', true],
  ['<|box_end|>', true],
  ['<|quad_start|>', true],
  ['<|quad_end|>', true],
  ['<|vision_start|>', true],
  ['<|vision_end|>', true],
  ['<|vision_pad|>', true],
  ['<|image_pad|>', true],
  ['<|video_pad|>', true],
  ['<tool_call>', false],
  ['</tool_call>', false],
  ['<|fim_prefix|>', false],
  ['<|fim_middle|>', false],
  ['<|fim_suffix|>', false],
  ['<|fim_pad|>', false],
  ['<|repo_name|>', false],
  ['<|file_sep|>', false],
  ['<tool_response>', false],
  ['</tool_response>', false],
  ['<think>', false],
  ['</think>', false],
  // Not in Qwen: the body of VisionThink's resize_image call as one id, so that the tiny escalating
  // expert can learn the call as a chain of token pairs (a bigram head cannot count repeated pieces).
  [RESIZE_CALL_BODY, false],
].map(([content, special]) => ({ content: String(content), special: special === true }));

/** Words the expert is biased toward (the paper's verification / backtracking markers). */
export const FAVOURED_WORDS = [' Wait', ' verify', ' check', ' However'] as const;

const WORDS = `the of and to a in is that it for as with was on be by this are or at from an which
answer question image figure shows there value angle triangle circle area length point line chart bar
total number equal equals so we can find let me first next step then finally therefore thus because
since given know need compute calculate sum difference product ratio percent degrees side sides base height
width radius diameter square root plus minus times divided half double each both all one two three four
five six seven eight nine ten zero yes no not but if how what which where when why look see color red blue
green left right top bottom above below more less than largest smallest correct option choice Wait verify
check However Hmm Actually again reconsider carefully re-examine confirm indeed so Let First Next Step Then
Finally Therefore The Answer So We I It This In From boxed frac sqrt cdot pi theta alpha beta x y z`;

/** GPT-2 / Qwen byte-to-unicode alphabet: printable bytes map to themselves, the rest above U+0100. */
export function byteAlphabet(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const table: string[] = new Array<string>(256);
  bs.forEach((b, i) => (table[b] = String.fromCodePoint(cs[i] ?? 0)));
  return table;
}

function toSymbols(word: string, alphabet: string[]): string[] {
  return [...new TextEncoder().encode(word)].map((b) => alphabet[b] ?? '');
}

/** Plain BPE training on the word list: merge the most frequent pair (ties: smallest pair) until every word is one token. */
function trainMerges(words: string[], alphabet: string[]): [string, string][] {
  const corpus = words.map((w) => toSymbols(w, alphabet));
  const merges: [string, string][] = [];
  for (;;) {
    const counts = new Map<string, number>();
    for (const syms of corpus) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const key = `${syms[i]} ${syms[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    if (counts.size === 0) return merges;
    let best = '';
    let bestCount = -1;
    for (const [key, c] of counts) {
      if (c > bestCount || (c === bestCount && key < best)) {
        best = key;
        bestCount = c;
      }
    }
    const [a, b] = best.split(' ') as [string, string];
    merges.push([a, b]);
    for (const syms of corpus) {
      for (let i = 0; i + 1 < syms.length; i++) {
        if (syms[i] === a && syms[i + 1] === b) syms.splice(i, 2, a + b);
      }
    }
  }
}

export interface TokenizerSpec {
  /** Number of regular (BPE) ids; special tokens follow at ids regularVocab, regularVocab+1, … */
  regularVocab: number;
}

export interface BuiltTokenizer {
  tokenizerJson: object;
  tokenizerConfig: object;
  /** Total ids the tokenizer defines (regular + added). */
  size: number;
  idOf: (token: string) => number;
}

export function buildTokenizer(spec: TokenizerSpec): BuiltTokenizer {
  const alphabet = byteAlphabet();
  const vocab = new Map<string, number>();
  const add = (tok: string) => {
    if (!vocab.has(tok)) vocab.set(tok, vocab.size);
  };
  alphabet.forEach(add);

  const wordList = WORDS.split(/\s+/).filter(Boolean);
  const trainingWords = [...new Set([...wordList.map((w) => ` ${w}`), ...wordList])];
  const merges = trainMerges(trainingWords, alphabet);
  for (const [a, b] of merges) add(a + b);
  if (vocab.size > spec.regularVocab) {
    throw new Error(`regularVocab ${spec.regularVocab} is too small: the trained words need ${vocab.size} ids`);
  }

  // Filler merges (after the trained ones, so they never change how a trained word splits) bring the
  // vocabulary to the requested size: byte pairs, then pair + byte.
  const pairs: string[] = [];
  outer: for (const a of alphabet) {
    for (const b of alphabet) {
      if (vocab.size >= spec.regularVocab) break outer;
      if (vocab.has(a + b)) continue;
      merges.push([a, b]);
      add(a + b);
      pairs.push(a + b);
    }
  }
  outer2: for (const p of pairs) {
    for (const c of alphabet) {
      if (vocab.size >= spec.regularVocab) break outer2;
      if (vocab.has(p + c)) continue;
      merges.push([p, c]);
      add(p + c);
    }
  }
  if (vocab.size !== spec.regularVocab) throw new Error(`could not reach regularVocab ${spec.regularVocab}`);

  const added = ADDED_TOKENS.map((t, i) => ({
    id: spec.regularVocab + i,
    content: t.content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: t.special,
  }));

  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: QWEN_SPLIT }, behavior: 'Isolated', invert: false },
        byteLevel,
      ],
    },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };

  const addedDecoder = Object.fromEntries(
    added.map((t) => [
      String(t.id),
      { content: t.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: t.special },
    ]),
  );
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: addedDecoder,
    additional_special_tokens: ADDED_TOKENS.filter((t) => t.special && t.content !== '<|endoftext|>').map((t) => t.content),
    bos_token: null,
    chat_template: QWEN25_VL_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: '<|im_end|>',
    errors: 'replace',
    extra_special_tokens: {},
    model_max_length: 131072,
    pad_token: '<|endoftext|>',
    processor_class: 'Qwen2_5_VLProcessor',
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };

  const alphabetIndex = new Map<string, number>(vocab);
  added.forEach((t) => alphabetIndex.set(t.content, t.id));
  const idOf = (token: string): number => {
    const id = added.find((t) => t.content === token)?.id ?? alphabetIndex.get(toSymbols(token, alphabet).join(''));
    if (id === undefined) throw new Error(`token ${JSON.stringify(token)} is not a single id of this vocabulary`);
    return id;
  };

  return { tokenizerJson, tokenizerConfig, size: spec.regularVocab + added.length, idOf };
}
