"""Progress: figures, charts, pages and exports for learners, teachers and staff; FSRS fitting."""
