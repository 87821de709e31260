/**
 * VisionThink: start from a half-width, half-height image (¼ of the visual tokens) and let the model
 * ask for the full image with a `resize_image` tool call, in Qwen2.5's function-calling format.
 */

/** The one tool offered, as a Qwen function signature. */
export const RESIZE_TOOL = {
  type: 'function',
  function: {
    name: 'resize_image',
    description: 'Get the original high-resolution image when the low-resolution image is not clear enough to answer.',
    parameters: {
      type: 'object',
      properties: { action: { type: 'string', description: 'Always "resize".', enum: ['resize'] } },
      required: ['action'],
    },
  },
} as const;

/** The system prompt of smart mode: Qwen2.5's tool block offering resize_image. */
export const TOOL_SYSTEM_PROMPT =
  'You are a helpful assistant.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
  `${JSON.stringify(RESIZE_TOOL)}\n</tools>\n\n` +
  'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>\n\n' +
  'The image you see has been downsampled to half its width and height. If it is not clear enough to answer the ' +
  'question, call resize_image to receive the original high-resolution image.';

/** The canonical call a model emits. */
export const RESIZE_CALL = '<tool_call>\n{"name": "resize_image", "arguments": {"action": "resize"}}\n</tool_call>';

/**
 * The turn appended after the call: the assistant turn is closed, the tool's answer (the full image)
 * comes as a user turn wrapped in <tool_response>, and a new assistant turn opens.
 */
export const TOOL_RESPONSE_TURN =
  '<|im_end|>\n<|im_start|>user\n<tool_response>\n<|vision_start|><|image_pad|><|vision_end|>\n</tool_response><|im_end|>\n<|im_start|>assistant\n';

export type ToolCallCheck = { kind: 'resize' } | { kind: 'invalid'; reason: string } | null;

/**
 * Looks at text that just grew by one token: null while no call has just closed; otherwise whether
 * the call that closed is a valid resize_image call. Anything else stays plain text.
 */
export function checkToolCall(text: string): ToolCallCheck {
  const close = '</tool_call>';
  // Called on every guided token with the whole text: look at its end without copying it.
  let end = text.length;
  while (end > 0 && /\s/.test(text.charAt(end - 1))) end--;
  if (!text.startsWith(close, end - close.length) || end < close.length) return null;
  const open = text.lastIndexOf('<tool_call>', end - close.length);
  if (open < 0) return { kind: 'invalid', reason: 'a </tool_call> without <tool_call>' };
  const body = text.slice(open + '<tool_call>'.length, end - close.length).trim();
  let call: unknown;
  try {
    call = JSON.parse(body);
  } catch {
    return { kind: 'invalid', reason: 'the tool call is not valid JSON' };
  }
  if (typeof call !== 'object' || call === null || !('name' in call)) return { kind: 'invalid', reason: 'the tool call has no name' };
  if (call.name !== RESIZE_TOOL.function.name) return { kind: 'invalid', reason: `unknown tool "${String(call.name)}"` };
  const args = 'arguments' in call ? call.arguments : undefined;
  if (typeof args !== 'object' || args === null || !('action' in args) || args.action !== 'resize') {
    return { kind: 'invalid', reason: 'resize_image needs {"action": "resize"}' };
  }
  return { kind: 'resize' };
}

/** Half width and half height by averaging 2×2 blocks (RGBA); deterministic everywhere. */
export function halveImage(rgba: ArrayLike<number>, width: number, height: number): { rgba: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } {
  const w = Math.max(1, Math.floor(width / 2));
  const h = Math.max(1, Math.floor(height / 2));
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            const sx = Math.min(width - 1, 2 * x + dx);
            const sy = Math.min(height - 1, 2 * y + dy);
            sum += rgba[(sy * width + sx) * 4 + c] ?? 0;
            n++;
          }
        }
        out[(y * w + x) * 4 + c] = Math.round(sum / n);
      }
    }
  }
  return { rgba: out, width: w, height: h };
}
