import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../protocol';
import { checkFile, extensionOf } from './files';

describe('checkFile', () => {
  const s = { ...defaultSettings };
  it('accepts an allowed type within the size limit', () => {
    expect(checkFile({ name: 'Bab 1 - Pendahuluan.PDF', size: 1024, type: 'application/pdf' }, s)).toBeNull();
  });
  it('refuses types outside the conversation’s list, whatever the MIME type says', () => {
    expect(checkFile({ name: 'tool.exe', size: 10, type: 'application/pdf' }, s)).toBe('file_type_not_allowed');
    expect(checkFile({ name: 'noextension', size: 10, type: '' }, s)).toBe('file_type_not_allowed');
    expect(checkFile({ name: '.pdf', size: 10, type: '' }, s)).toBe('file_type_not_allowed');
  });
  it('refuses files over maxFileSize and empty files', () => {
    expect(checkFile({ name: 'a.pdf', size: s.maxFileSize + 1, type: '' }, s)).toBe('file_too_large');
    expect(checkFile({ name: 'a.pdf', size: s.maxFileSize, type: '' }, s)).toBeNull();
    expect(checkFile({ name: 'a.pdf', size: 0, type: '' }, s)).toBe('unprocessable');
  });
  it('refuses everything when uploads are off', () => {
    expect(checkFile({ name: 'a.pdf', size: 1, type: '' }, { ...s, allowFileUpload: false })).toBe('uploads_disabled');
  });
  it('reads the extension of the last path component', () => {
    expect(extensionOf('C:\\x.y\\draft.DOCX')).toBe('.docx');
    expect(extensionOf('archive.tar.gz')).toBe('.gz');
  });
});
