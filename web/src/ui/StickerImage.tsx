// A sticker message's picture, from this client's own set; an id it does not know shows as words.
import { stickerById } from '../stickers/stickers';
import { useT } from './context';

export function StickerImage({ id }: { id: string }) {
  const { t } = useT();
  const s = stickerById(id);
  if (!s) return <p class="message-sticker is-unknown">[{t('stickerUnknown')}: {id}]</p>;
  return <img class="message-sticker" src={s.url} alt={t(s.label)} width={120} height={120} />;
}
