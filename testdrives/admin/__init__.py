"""The test-drive back office. Importing the modules registers their admins."""

from testdrives.admin import kiosks, records, testdrive

__all__ = ["kiosks", "records", "testdrive"]
