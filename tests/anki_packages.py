"""Real Anki packages built with the official `anki` library, for import tests."""

from __future__ import annotations

from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))


def build_package(folder: Path) -> bytes:
    """Two answered Basic notes (one with a picture) and a cloze note in "History::USSR"."""
    from anki.collection import Collection, ExportAnkiPackageOptions

    col = Collection(str(folder / "collection.anki2"))
    try:
        picture = col.media.write_data("kremlin.png", PNG)
        deck = col.decks.id("History::USSR")
        notes = [(f'The Kremlin <img src="{picture}">', "Moscow"), ("1956", "Secret Speech")]
        for front, back in notes:
            note = col.new_note(col.models.by_name("Basic"))
            note["Front"], note["Back"] = front, back
            col.add_note(note, deck)
            card = note.cards()[0]
            card.start_timer()
            col.sched.answerCard(card, 3)
        cloze = col.new_note(col.models.by_name("Cloze"))
        cloze["Text"] = "{{c1::Khrushchev}} spoke in 1956."
        col.add_note(cloze, deck)
        path = folder / "deck.apkg"
        options = ExportAnkiPackageOptions(with_scheduling=True, with_media=True, legacy=False)
        col.export_anki_package(out_path=str(path), options=options, limit=None)
        return path.read_bytes()
    finally:
        col.close()
