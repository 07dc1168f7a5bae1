"""Creating and editing banks and questions (teachers and admins, in banks they own)."""
