import { describe, expect, it } from 'vitest';
import type { FileInfo } from '../protocol';
import { isPreviewable, thumbnailSize } from './FileAttachment';

const file = (over: Partial<FileInfo>): FileInfo => ({ fileName: 'bab2.docx', fileType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', fileSize: 1000, scanStatus: 'clean', downloadUrl: '/api/files/f1/download', ...over }) as FileInfo;

describe('thumbnails', () => {
  it('asks for the size that covers the shown width at the pixel ratio', () => {
    expect(thumbnailSize(140, 1)).toBe('small');
    expect(thumbnailSize(260, 1)).toBe('medium');
    expect(thumbnailSize(260, 2)).toBe('large');
    expect(thumbnailSize(260, 0)).toBe('medium');
  });

  it('previews whatever the server made a thumbnail of (Office files too), never an infected file', () => {
    expect(isPreviewable(file({ thumbnailUrl: '/api/files/f1/thumbnail' }))).toBe(true);
    expect(isPreviewable(file({ fileName: 'slides.pptx', thumbnailUrl: '/api/files/f2/thumbnail' }))).toBe(true);
    expect(isPreviewable(file({}))).toBe(false);
    expect(isPreviewable(file({ thumbnailUrl: '/api/files/f3/thumbnail', scanStatus: 'infected' }))).toBe(false);
  });
});
