"""Stands in for the .xls reader child in tests: dies like calamine aborting on a crafted file."""

import os
import sys

if __name__ == "__main__":
    sys.stdin.buffer.read()
    os.abort()
