"""People at scale: rosters, and bringing terminals in line with them.

placeholder
"""
