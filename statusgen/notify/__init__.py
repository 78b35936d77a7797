"""`statusgen notify`: the channels file, what each channel is owed, the messages, their delivery and its record."""
