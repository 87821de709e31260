/** The sample images shipped in public/samples/ (rendered by scripts/make-samples.ts). */
export interface Sample {
  id: string;
  label: string;
  url: string;
  question: string;
}

export const SAMPLES: readonly Sample[] = [
  {
    id: 'chart',
    label: 'Bar chart',
    url: '/samples/chart.png',
    question: 'By what percentage did revenue grow from Q1 to Q4? Reason step by step.',
  },
  {
    id: 'geometry',
    label: 'Geometry',
    url: '/samples/geometry.png',
    question: 'The triangle has legs 6 and 8. Find the hypotenuse $x$ and the inradius $r$.',
  },
  {
    id: 'scene',
    label: 'Lake scene',
    url: '/samples/scene.png',
    question: 'How many pine trees are there, and what time of day is it? Explain.',
  },
];
