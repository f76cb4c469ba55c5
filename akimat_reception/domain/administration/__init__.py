"""Putting an akimat into service: the akimats and their hierarchy, their departments and
categories, their staff and invitations — and the record of every administrative change.

record.py the administrative record (who, what, before, after); hierarchy.py which akimats stand
under which; invitations.py inviting a person to hold roles in an akimat."""
