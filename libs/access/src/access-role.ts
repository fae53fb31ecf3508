/**
 * The roles a habilitation grants: `analyst` reads the analysts' data, `prefecture-viewer` the
 * Préfecture's read-only view of it, `admin` manages habilitations and reads the audit.
 */
export const ACCESS_ROLES = ['analyst', 'prefecture-viewer', 'admin'] as const;

export type AccessRole = (typeof ACCESS_ROLES)[number];

export function isAccessRole(value: unknown): value is AccessRole {
  return ACCESS_ROLES.some((role) => role === value);
}
