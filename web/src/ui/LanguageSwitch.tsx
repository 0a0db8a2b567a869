import { useContext } from 'preact/hooks';
import { LangContext } from './context';

/** English / Indonesian toggle; remembered for the next visit. */
export function LanguageSwitch() {
  const { tr, setLang } = useContext(LangContext);
  return (
    <div class="language-switch" role="group" aria-label={tr.t('language')}>
      <button type="button" aria-pressed={tr.lang === 'en'} onClick={() => setLang('en')} lang="en">
        EN
      </button>
      <button type="button" aria-pressed={tr.lang === 'id'} onClick={() => setLang('id')} lang="id">
        ID
      </button>
    </div>
  );
}
