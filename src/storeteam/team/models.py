"""Team tables. Roles are auth groups (see roles.py); the project team (T1 to T3) lands here.

This module also gives the app its post_migrate signal, on which the roles' grants are synced.
"""
