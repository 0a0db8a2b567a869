import type { StringKey } from '../i18n';
import type { Role } from '../protocol';

export const roleKey: Record<Role, StringKey> = {
  student: 'roleStudent',
  tutor: 'roleTutor',
  admin: 'roleAdmin',
  service: 'roleService',
};
