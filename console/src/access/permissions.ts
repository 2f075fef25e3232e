// The permissions the console asks about, in one place: a typo here would deny (rolegate
// treats a permission outside the catalog as unknown), so each is named once.
export const PERMISSION = {
  /** Opening the Access Control pages: reading the directory at the organization. */
  readUsers: 'iam/users/read',
  manageUsers: 'iam/users/manage',
  createAssignments: 'iam/role-assignments/create',
  deleteAssignments: 'iam/role-assignments/delete',
  transferOwnership: 'iam/ownership/transfer',
  manageOrganization: 'iam/organization/manage',
} as const;
