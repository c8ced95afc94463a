/** The Calendar scope the service asks for, of members and of the domain-wide delegation. */
export const CALENDAR_READONLY_SCOPE = 'https://www.googleapis.com/auth/calendar.readonly';

/** Reading the Workspace user directory, as the admin named by GOOGLE_WORKSPACE_ADMIN. */
export const DIRECTORY_READONLY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
