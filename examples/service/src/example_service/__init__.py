"""An inventory HTTP service small enough to read in one sitting."""
