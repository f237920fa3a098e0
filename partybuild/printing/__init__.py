"""Printed documents: training and meeting sign-in sheets, attendance summaries, branch rosters.

- :mod:`.data` gathers what goes on a document (who, in what order, which figures) into a
  Qt-free :class:`~.layout.Document`;
- :mod:`.layout` splits it into A4 pages in millimetres, before anything is painted;
- :mod:`.render` paints those pages with QPainter on any page device — the print preview's
  printer, a real printer, or a PDF (:func:`~.render.write_pdf`) — so all three match;
- :mod:`.fonts` gives printouts the bundled font (a Noto Sans CJK SC subset) on every machine.

Only :mod:`.render` and :mod:`.fonts` import Qt; importing this package imports nothing.
"""
