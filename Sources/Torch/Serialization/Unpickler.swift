// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0

/// A restricted pickle virtual machine that reads PyTorch state dicts and executes nothing.
///
/// It knows only the opcodes a `torch.save` of tensors uses (protocols 2–5) and resolves only the globals in
/// ``PickleGlobal``; any other global (`os.system`, `builtins.eval`, ...) is refused the moment it is named,
/// so no Python object is ever constructed from the file. Every read is bounds-checked through
/// ``ByteReader``; each opcode consumes at least one byte, so a run always ends.
struct Unpickler {
    /// Turns a persistent id (`('storage', storage_type, key, location, numel[, view])`) into a value.
    typealias PersistentLoad = (PickleValue, ByteReader) throws -> PickleValue

    private var reader: ByteReader
    private let persistentLoad: PersistentLoad
    private var stack: [PickleValue] = []
    /// The nesting depth of each stack value (0 for scalars; lists and dicts carry their own).
    private var depths: [Int] = []
    private var marks: [Int] = []
    private var memo: [Int: (value: PickleValue, depth: Int)] = [:]
    /// Bounds on nesting (Swift frees nested values recursively, so depth must be bounded) and sizes.
    private let limits = InputLimits.current
    /// The most bytes a tensor that repeats its storage's elements (stride 0) may expand to.
    static let maximumBroadcastBytes = 1 << 26

    private init(reader: ByteReader, persistentLoad: @escaping PersistentLoad) {
        self.reader = reader
        self.persistentLoad = persistentLoad
    }

    /// Runs one pickle from the reader's position to its STOP opcode and leaves the reader just after it.
    static func load(_ reader: inout ByteReader, persistentLoad: @escaping PersistentLoad) throws -> PickleValue {
        var machine = Unpickler(reader: reader, persistentLoad: persistentLoad)
        let value = try machine.run()
        reader = machine.reader
        return value
    }

    private func fail(_ message: String) -> SerializationError { reader.error(message) }

    private mutating func pop() throws -> PickleValue { try popEntry().value }

    private mutating func popEntry() throws -> (value: PickleValue, depth: Int) {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast(), let depth = depths.popLast() else {
            throw fail("the pickle stack is empty (corrupt pickle)")
        }
        return (value, Self.depth(of: value, recorded: depth))
    }

    /// The current depth of a value: lists and dicts know theirs (they may have grown since it was recorded).
    private static func depth(of value: PickleValue, recorded: Int) -> Int {
        switch value {
        case .list(let list): list.depth
        case .dict(let dict): dict.depth
        default: recorded
        }
    }

    /// Pushes a value of nesting `depth`, within the stack-size limit.
    private mutating func push(_ value: PickleValue, depth: Int = 0) throws {
        guard stack.count < limits.pickleItems else {
            throw fail(limits.refusal("the pickle stack", "\(stack.count) values", .pickleItems))
        }
        stack.append(value)
        depths.append(depth)
    }

    /// Seals `children` (they now live inside a container and may not grow) and returns the depth of a
    /// container holding them, refusing nesting past the limit.
    private func containerDepth(_ children: [(value: PickleValue, depth: Int)]) throws -> Int {
        var deepest = 0
        for child in children {
            switch child.value {
            case .list(let list): list.sealed = true
            case .dict(let dict): dict.sealed = true
            default: break
            }
            deepest = Swift.max(deepest, Self.depth(of: child.value, recorded: child.depth))
        }
        guard deepest < limits.pickleDepth else {
            throw fail(limits.refusal("the nesting of tuples, lists and dicts", "deeper than \(deepest)", .pickleDepth))
        }
        guard children.count <= limits.pickleItems else {
            throw fail(limits.refusal("a container", "\(children.count) items", .pickleItems))
        }
        return deepest + 1
    }

    private func top() throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw fail("the pickle stack is empty (corrupt pickle)")
        }
        return value
    }

    /// Pops everything above the most recent MARK.
    private mutating func popMark() throws -> [PickleValue] { try popMarkEntries().map(\.value) }

    /// Pops everything above the most recent MARK, with depths.
    private mutating func popMarkEntries() throws -> [(value: PickleValue, depth: Int)] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("MARK expected but none is open (corrupt pickle)") }
        let items = (mark ..< stack.count).map { (stack[$0], Self.depth(of: stack[$0], recorded: depths[$0])) }
        stack.removeSubrange(mark...)
        depths.removeSubrange(mark...)
        return items
    }

    private mutating func memoGet(_ index: Int) throws {
        guard let entry = memo[index] else { throw fail("memo entry \(index) is read before it is written (corrupt pickle)") }
        try push(entry.value, depth: entry.depth)
    }

    private mutating func memoPut(_ index: Int) throws {
        guard index >= 0 else { throw fail("negative memo index \(index)") }
        guard memo.count < limits.pickleItems || memo[index] != nil else {
            throw fail(limits.refusal("the pickle memo", "\(memo.count) values", .pickleItems))
        }
        let value = try top()
        memo[index] = (value, Self.depth(of: value, recorded: depths[depths.count - 1]))
    }

    private mutating func signedInt(_ width: Int) throws -> PickleValue {
        let raw = try reader.take(width, "a \(width)-byte integer")
        return Self.integer(littleEndian: Array(raw))
    }

    /// A two's-complement little-endian integer of any width.
    static func integer(littleEndian bytes: [UInt8]) -> PickleValue {
        guard !bytes.isEmpty else { return .int(0) }
        guard bytes.count <= 8 else { return .bigInt(bytes) }
        var value: UInt64 = bytes.last! & 0x80 != 0 ? ~0 : 0
        for byte in bytes.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int(Int64(bitPattern: value)))
    }

    private mutating func text(_ length: Int, _ what: String) throws -> PickleValue {
        let raw = try reader.take(length, what)
        guard let string = String(validating: raw, as: UTF8.self) else { throw fail("\(what) is not valid UTF-8") }
        return .string(string)
    }

    private mutating func textInt(_ what: String) throws -> Int {
        let line = try reader.line(what)
        let digits = line.hasSuffix("L") ? String(line.dropLast()) : line
        if digits == "00" { return 0 }
        if digits == "01" { return 1 }
        guard let value = Int(digits) else { throw fail("\(what) '\(line.prefix(40))' is not an integer") }
        return value
    }

    private func resolveGlobal(module: String, name: String) throws -> PickleValue {
        guard let global = PickleGlobal(module: module, name: name) else {
            throw SerializationError(source: reader.source, reason: """
                \(reader.context) refuses to load global '\(module).\(name)': only tensors, storages and \
                collections.OrderedDict are allowed, and nothing in the file is executed. The file is not a \
                plain state dict, or it is malicious; do not open it with Python's pickle.
                """)
        }
        return .global(global)
    }

    /// REDUCE and NEWOBJ: call one of the allowed callables.
    private func call(_ callable: PickleValue, _ argumentEntry: (value: PickleValue, depth: Int)) throws -> PickleValue {
        let arguments = argumentEntry.value
        guard case .global(let global) = callable else { throw fail("cannot call \(callable.described)") }
        guard case .tuple(let args) = arguments else {
            throw fail("\(global.qualifiedName) expects a tuple of arguments, found \(arguments.described)")
        }
        switch global {
        case .orderedDict:
            let dict = PickleDict()
            dict.depth = Swift.max(1, argumentEntry.depth)
            if let first = args.first {
                guard case .list(let pairs) = first else { throw fail("OrderedDict(...) with \(first.described) is not supported") }
                for pair in pairs.items {
                    guard case .tuple(let kv) = pair, kv.count == 2, dict.set(kv[0], kv[1]) else {
                        throw fail("OrderedDict(...) expects (key, value) pairs")
                    }
                }
            }
            return .dict(dict)
        case .rebuildTensor, .rebuildTensorV2:
            return .tensor(try rebuildTensor(args, name: global.qualifiedName))
        case .rebuildParameter, .rebuildParameterWithState:
            guard let data = args.first, case .tensor = data, args.count == (global == .rebuildParameter ? 3 : 4) else {
                throw fail("\(global.qualifiedName) expects (tensor, requires_grad, hooks\(global == .rebuildParameter ? "" : ", state")), found \(args.map(\.kindName))")
            }
            return data
        case .storageType:
            throw fail("\(global.qualifiedName) may only name a storage type in a persistent id, not be called")
        }
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
    private func rebuildTensor(_ args: [PickleValue], name: String) throws -> TensorDescription {
        let validCounts = name.hasSuffix("_v2") ? [6, 7] : [4]
        guard validCounts.contains(args.count), case .storage(let storage) = args[0], let offset = args[1].int,
              let shape = args[2].ints, let strides = args[3].ints
        else {
            throw fail("\(name) expects (storage, offset, size, stride, ...), found (\(args.map(\.kindName).joined(separator: ", ")))")
        }
        let where_ = "tensor of shape \(shape), stride \(strides), offset \(offset)"
        guard shape.count == strides.count, shape.count <= 64, offset >= 0,
              shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 })
        else { throw fail("\(where_) is malformed") }
        var elementCount = 1
        var lastIndex = offset
        for (size, stride) in zip(shape, strides) {
            let (count, countOverflow) = elementCount.multipliedReportingOverflow(by: size)
            let (span, spanOverflow) = Swift.max(size - 1, 0).multipliedReportingOverflow(by: stride)
            let (last, lastOverflow) = lastIndex.addingReportingOverflow(span)
            guard !countOverflow, !spanOverflow, !lastOverflow else { throw fail("\(where_) overflows") }
            elementCount = count
            lastIndex = last
        }
        if elementCount > 0, lastIndex >= storage.count {
            throw fail("\(where_) reaches element \(lastIndex) but its storage '\(storage.key)' holds \(storage.count) elements")
        }
        // Only stride-0 (broadcast) views hold more elements than their storage; cap what they may allocate.
        let (byteCount, byteOverflow) = elementCount.multipliedReportingOverflow(by: storage.dtype.elementSize)
        guard !byteOverflow, elementCount <= storage.count || byteCount <= Self.maximumBroadcastBytes else {
            throw fail("\(where_) repeats the \(storage.count) elements of its storage into \(elementCount); views larger than \(Self.maximumBroadcastBytes >> 20) MiB that repeat elements are refused")
        }
        return TensorDescription(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    private mutating func run() throws -> PickleValue {
        while true {
            let opcode = try reader.uint8("a pickle opcode")
            switch opcode {
            case 0x80:  // PROTO
                let version = try reader.uint8("the protocol version")
                guard (2 ... 5).contains(version) else { throw fail("pickle protocol \(version) is not supported (2–5 are)") }
            case 0x95: _ = try reader.take(8, "a frame length")  // FRAME: frames are only a buffering hint
            case 0x2E:  // STOP
                guard stack.count == 1, marks.isEmpty else {
                    throw fail("STOP with \(stack.count) values on the stack and \(marks.count) open marks (corrupt pickle)")
                }
                return stack[0]
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: try push(try top(), depth: depths.last ?? 0)  // DUP
            case 0x4E: try push(.none)  // NONE
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4B: try push(.int(Int(try reader.uint8("BININT1 operand"))))  // BININT1
            case 0x4D: try push(.int(try reader.uint16("BININT2 operand")))  // BININT2
            case 0x4A: try push(try signedInt(4))  // BININT
            case 0x8A:  // LONG1
                let count = Int(try reader.uint8("LONG1 length"))
                try push(try signedInt(count))
            case 0x8B:  // LONG4
                let count = try reader.uint32("LONG4 length")
                guard count <= 4096 else { throw fail("LONG4 of \(count) bytes is too long for a state dict") }
                try push(try signedInt(count))
            case 0x49:  // INT (text; "00"/"01" are False/True in protocol 0)
                let line = try reader.line("INT operand")
                if line == "00" || line == "01" { try push(.bool(line == "01")); break }
                guard let value = Int(line) else { throw fail("INT operand '\(line.prefix(40))' is not an integer") }
                try push(.int(value))
            case 0x4C: try push(.int(try textInt("LONG operand")))  // LONG (text)
            case 0x47:  // BINFLOAT (big-endian double)
                let raw = try reader.take(8, "a BINFLOAT operand")
                try push(.float(Double(bitPattern: raw.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
            case 0x46:  // FLOAT (text)
                let line = try reader.line("FLOAT operand")
                guard let value = Double(line) else { throw fail("FLOAT operand '\(line.prefix(40))' is not a number") }
                try push(.float(value))
            case 0x58: try push(try text(try reader.uint32("BINUNICODE length"), "a BINUNICODE string"))
            case 0x8C: try push(try text(Int(try reader.uint8("SHORT_BINUNICODE length")), "a SHORT_BINUNICODE string"))
            case 0x8D: try push(try text(try reader.uint64("BINUNICODE8 length"), "a BINUNICODE8 string"))
            case 0x55, 0x54:  // SHORT_BINSTRING, BINSTRING (Python 2 str)
                let count = opcode == 0x55 ? Int(try reader.uint8("SHORT_BINSTRING length")) : try reader.uint32("BINSTRING length")
                let raw = try reader.take(count, "a BINSTRING string")
                try push(.string(String(validating: raw, as: UTF8.self) ?? String(raw.map { Character(Unicode.Scalar($0)) })))
            case 0x43, 0x42, 0x8E:  // SHORT_BINBYTES, BINBYTES, BINBYTES8
                let count = opcode == 0x43 ? Int(try reader.uint8("SHORT_BINBYTES length"))
                    : opcode == 0x42 ? try reader.uint32("BINBYTES length") : try reader.uint64("BINBYTES8 length")
                try push(.bytes(Array(try reader.take(count, "a BINBYTES operand"))))
            case 0x5D: try push(.list(PickleList()))  // EMPTY_LIST
            case 0x6C:  // LIST
                let entries = try popMarkEntries()
                let list = PickleList(entries.map(\.value))
                list.depth = try containerDepth(entries)
                try push(.list(list))
            case 0x29: try push(.tuple([]), depth: 1)  // EMPTY_TUPLE
            case 0x74:  // TUPLE
                let entries = try popMarkEntries()
                try push(.tuple(entries.map(\.value)), depth: try containerDepth(entries))
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                var entries: [(value: PickleValue, depth: Int)] = []
                for _ in 0 ..< Int(opcode - 0x84) { entries.insert(try popEntry(), at: 0) }
                try push(.tuple(entries.map(\.value)), depth: try containerDepth(entries))
            case 0x7D: try push(.dict(PickleDict()))  // EMPTY_DICT
            case 0x64:  // DICT
                let entries = try popMarkEntries()
                try push(.dict(try setItems(PickleDict(), entries)))
            case 0x61:  // APPEND
                let entry = try popEntry()
                try append([entry])
            case 0x65: try append(try popMarkEntries())  // APPENDS
            case 0x73:  // SETITEM
                let value = try popEntry()
                let key = try popEntry()
                guard case .dict(let dict) = try top() else { throw fail("SETITEM on \(try top().described)") }
                _ = try setItems(dict, [key, value])
            case 0x75:  // SETITEMS
                let items = try popMarkEntries()
                guard case .dict(let dict) = try top() else { throw fail("SETITEMS on \(try top().described)") }
                _ = try setItems(dict, items)
            case 0x70: try memoPut(try textInt("PUT index"))  // PUT
            case 0x71: try memoPut(Int(try reader.uint8("BINPUT index")))  // BINPUT
            case 0x72: try memoPut(try reader.uint32("LONG_BINPUT index"))  // LONG_BINPUT
            case 0x94: try memoPut(memo.count)  // MEMOIZE
            case 0x67: try memoGet(try textInt("GET index"))  // GET
            case 0x68: try memoGet(Int(try reader.uint8("BINGET index")))  // BINGET
            case 0x6A: try memoGet(try reader.uint32("LONG_BINGET index"))  // LONG_BINGET
            case 0x63:  // GLOBAL
                let module = try reader.line("GLOBAL module")
                let name = try reader.line("GLOBAL name")
                try push(try resolveGlobal(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                let name = try pop()
                let module = try pop()
                guard let moduleName = module.string, let globalName = name.string else {
                    throw fail("STACK_GLOBAL expects two strings, found \(module.kindName) and \(name.kindName)")
                }
                try push(try resolveGlobal(module: moduleName, name: globalName))
            case 0x52:  // REDUCE
                let arguments = try popEntry()
                let callable = try pop()
                try push(try call(callable, arguments))
            case 0x81:  // NEWOBJ: cls.__new__(cls, *args), allowed for OrderedDict only
                let arguments = try popEntry()
                let cls = try pop()
                guard case .global(.orderedDict) = cls else { throw fail("NEWOBJ of \(cls.described) is not supported") }
                try push(try call(cls, arguments))
            case 0x92:  // NEWOBJ_EX
                _ = try pop()  // kwargs
                let arguments = try popEntry()
                let cls = try pop()
                guard case .global(.orderedDict) = cls else { throw fail("NEWOBJ_EX of \(cls.described) is not supported") }
                try push(try call(cls, arguments))
            case 0x62:  // BUILD: accepted on dicts (a state dict's `_metadata`), ignored
                let state = try pop()
                let target = try top()
                guard case .dict = target else {
                    throw fail("BUILD (setting state \(state.kindName)) on \(target.described) is not supported")
                }
            case 0x51:  // BINPERSID
                let id = try pop()
                try push(try persistentLoad(id, reader))
            case 0x50:  // PERSID (text id)
                let id = try reader.line("PERSID operand")
                try push(try persistentLoad(.string(id), reader))
            default:
                let hex = String(opcode, radix: 16, uppercase: true)
                throw fail("unsupported pickle opcode 0x\(hex.count < 2 ? "0" + hex : hex) (only the opcodes of a torch.save state dict are read)")
            }
        }
    }

    private mutating func append(_ items: [(value: PickleValue, depth: Int)]) throws {
        guard case .list(let list) = try top() else { throw fail("APPEND on \(try top().described)") }
        let depth = try containerDepth(items)
        guard !list.sealed else {
            throw fail("APPEND to a list that already sits inside another container (torch.save never writes this; the pickle is crafted)")
        }
        guard list.items.count + items.count <= limits.pickleItems else {
            throw fail(limits.refusal("a list", "\(list.items.count + items.count) items", .pickleItems))
        }
        list.items.append(contentsOf: items.map(\.value))
        list.depth = Swift.max(list.depth, depth)
    }

    private func setItems(_ dict: PickleDict, _ items: [(value: PickleValue, depth: Int)]) throws -> PickleDict {
        guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number (\(items.count)) of keys and values") }
        let depth = try containerDepth(items)
        guard !dict.sealed else {
            throw fail("SETITEMS on a dict that already sits inside another container (torch.save never writes this; the pickle is crafted)")
        }
        guard dict.keys.count + items.count / 2 <= limits.pickleItems else {
            throw fail(limits.refusal("a dict", "\(dict.keys.count + items.count / 2) entries", .pickleItems))
        }
        dict.depth = Swift.max(dict.depth, depth)
        for index in stride(from: 0, to: items.count, by: 2) {
            guard dict.set(items[index].value, items[index + 1].value) else {
                throw fail("dict key (\(items[index].value.described)) is unhashable or too deeply nested")
            }
        }
        return dict
    }
}
