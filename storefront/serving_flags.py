"""What storefront.serving tells the pages it serves (kept apart so importing it loads no server)."""

# Set in a page's WSGI environ by storefront.serving: the same server answers the order streams.
STREAMS_ENVIRON_KEY = "storefront.serves_streams"

# A response with this coroutine method is opened on the event loop before its head is sent
# (orders.live.LiveStreamResponse): it returns the chunks to relay, or another response to send
# instead.
OPEN_ON_LOOP = "open_on_loop"
