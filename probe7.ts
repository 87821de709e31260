import { Tensor } from '@huggingface/transformers';
import { allLogits, imageFeatures, loadConverted, prompt, textured } from './scripts/convert/test/app-logits';
for (const name of ['ck3-base', 'ck3-expert']) {
  for (const dtype of ['fp32', 'q4'] as const) {
    const l = await loadConverted('/tmp/cv3', name, dtype);
    const p = await prompt(l, textured(224, 160), 'What is this?');
    const f = await imageFeatures(l, p);
    const a = await allLogits(l, p);
    const ids = p.input_ids.dims[1] ?? 0;
    const out = await l.model.generate({ ...p, attention_mask: new Tensor('int64', new BigInt64Array(ids).fill(1n), [1, ids]), max_new_tokens: 6, do_sample: false, repetition_penalty: 1 });
    console.log(name, dtype, 'grid', p.image_grid_thw.tolist()[0].map(Number), 'feat', f.dims, 'logits', a.dims, 'gen', Array.from((out as Tensor).data, Number).slice(ids));
  }
}
