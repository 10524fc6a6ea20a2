"""Who the user is: /start and contact sharing (verification), help, /whoami, /cancel, /unbind."""
