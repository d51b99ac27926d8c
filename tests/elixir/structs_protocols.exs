# Protocols, structs, behaviours, IO.inspect with options, Inspect implementations.
defprotocol Shape do
  @fallback_to_any true
  def area(shape)
end

defmodule Circle do
  defstruct radius: 1.0
end

defmodule Rect do
  @enforce_keys [:w]
  defstruct [:w, h: 2]
end

defimpl Shape, for: Circle do
  def area(%Circle{radius: r}), do: Float.round(:math.pi() * r * r, 4)
end

defimpl Shape, for: Rect do
  def area(%Rect{w: w, h: h}), do: w * h
end

defimpl Shape, for: Any do
  def area(_), do: :unknown
end

defmodule Money do
  defstruct [:amount, :currency]

  defimpl Inspect do
    import Inspect.Algebra
    def inspect(%Money{amount: a, currency: c}, opts) do
      concat(["#Money<", to_doc(a, opts), " ", to_string(c), ">"])
    end
  end

  defimpl String.Chars do
    def to_string(%Money{amount: a, currency: c}), do: "#{a} #{c}"
  end
end

defmodule Secret do
  @derive {Inspect, only: [:name]}
  defstruct [:name, :password]
end

defmodule Main do
  def run do
    IO.inspect(Enum.map([%Circle{radius: 2}, %Rect{w: 3}, %{}, 42], &Shape.area/1))
    IO.inspect(%Rect{w: 1})
    IO.inspect(%Circle{})
    IO.inspect(%Money{amount: 10, currency: :EUR})
    IO.puts("to_string: #{%Money{amount: 5, currency: :USD}}")
    IO.inspect(%Secret{name: "x", password: "hunter2"})
    IO.inspect(Map.from_struct(%Rect{w: 5}))
    IO.inspect(struct(Rect, w: 9, h: 1, bogus: 3))
    IO.inspect(is_struct(%Circle{}), label: "is_struct")
    r = %Rect{w: 1}
    IO.inspect(%{r | h: 10})
    IO.inspect(Shape.impl_for(%Circle{}))
    IO.inspect(Enumerable.impl_for([]))
    IO.inspect(Protocol.consolidated?(Enumerable))

    try do
      Code.eval_string("%Rect{}")
    rescue
      e -> IO.puts("#{inspect(e.__struct__)}: #{Exception.message(e)}")
    end

    try do
      Code.eval_string("%Rect{w: 1, nope: 2}")
    rescue
      e -> IO.puts("#{inspect(e.__struct__)}: #{Exception.message(e)}")
    end

    try do
      String.Chars.to_string(%Rect{w: 1})
    rescue
      e -> IO.puts("#{inspect(e.__struct__)}: #{Exception.message(e)}")
    end

    # IO.inspect options
    data = %{list: Enum.to_list(1..30), nested: %{a: [b: [c: [d: :deep]]]}, str: String.duplicate("abc", 40), bin: <<1, 2, 3, 200>>, charlist: 'hello', float: 1.5, tuple: {1, "two", :three}}
    IO.inspect(data)
    IO.inspect(data, pretty: true, width: 40)
    IO.inspect(data, limit: 5)
    IO.inspect(data, printable_limit: 10, limit: :infinity)
    IO.inspect(data.bin, binaries: :as_strings)
    IO.inspect("abc", binaries: :as_binaries)
    IO.inspect('hello', charlists: :as_lists)
    IO.inspect([104, 105], charlists: :as_charlists)
    IO.inspect(255, base: :hex)
    IO.inspect(-10, base: :binary)
    IO.inspect(0o17, base: :octal)
    IO.inspect([a: 1, b: 2], label: "kw")
    IO.inspect(%{"string key" => 1, :atom => 2, 3 => [4]}, structs: false)
    IO.inspect(%Circle{}, structs: false)
    IO.inspect(:"atom with spaces")
    IO.inspect([:ok, :"Elixir.Foo", Foo, nil, true, :+, :"9x"])
    IO.inspect({self() |> is_pid(), make_ref() |> is_reference()})
    IO.inspect(&String.upcase/1)
    IO.inspect(fn x -> x end |> is_function(1))
    IO.inspect(1..10//2)
    IO.inspect(MapSet.new([1, 2, 3]))
    IO.inspect(~r/ab+c/i)
    IO.inspect(~D[2024-01-01])
    IO.inspect(~U[2024-01-01 12:00:00Z])
    IO.inspect(Version.parse!("1.2.3-rc.1"))
    IO.inspect(URI.new!("http://x.org"))
    IO.inspect(Enum.to_list(1..100), width: 30)
    IO.inspect(Map.new(1..50, &{&1, &1}), limit: 8)
    IO.inspect(String.duplicate("é", 5), syntax_colors: [])
    IO.puts(inspect({:a, [1, 2]}, pretty: true, width: 5))
    IO.puts(Kernel.inspect(1.0e-7))
    IO.puts(inspect(<<1::3>>))
    IO.puts(inspect([1 | 2]))
    IO.puts(inspect(%{__struct__: NotAStruct, a: 1}))
  end
end

Main.run()
