import { describe, expect, it } from 'vitest';
import { unfinishedCharacterBytes } from './chunkCopy.js';

describe('unfinishedCharacterBytes', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it('is 0 when the data ends with a whole character', () => {
    for (const text of ['', 'a', 'é', '日', '😀', 'ab😀c']) expect(unfinishedCharacterBytes(bytes(text))).toBe(0);
  });

  it('counts the bytes of a character the data cuts off', () => {
    for (const char of ['é', '日', '😀']) {
      const whole = bytes(`x${char}`);
      for (let cut = 1; cut < Buffer.byteLength(char); cut++) {
        expect(unfinishedCharacterBytes(whole.subarray(0, 1 + cut))).toBe(cut);
      }
    }
  });

  it('leaves bytes that are not UTF-8 to the UTF-8 check', () => {
    expect(unfinishedCharacterBytes(Buffer.from([0x61, 0x80, 0x80, 0x80]))).toBe(0); // continuation bytes without a lead byte
    expect(unfinishedCharacterBytes(Buffer.from('Caf\xe9\n', 'latin1'))).toBe(0);
  });
});
