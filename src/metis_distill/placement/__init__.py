"""Which context file each lesson belongs in (team, part of the tree, one machine or person),
and which lessons the repository's own documents already state."""
